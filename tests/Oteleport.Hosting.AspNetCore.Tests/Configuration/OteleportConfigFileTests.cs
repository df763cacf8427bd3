using Microsoft.Extensions.Configuration;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Tests.Configuration;

public sealed class OteleportConfigFileTests : ConfigFileTestBase
{
    // The seed README's oteleport.jsonnet, written as JSON with ${NAME} for must_env('NAME').
    private const string SeedExample = """
        {
          "access_keys": [
            "${OTELEPORT_ACCESS_KEY}"
          ],
          "storage": {
            "cursor_encryption_key": "${OTELEPORT_CURSOR_ENCRYPTION_KEY}",
            "location": "s3://${OTELEPORT_S3_BUCKET}/"
          },
          "otlp": {
            "grpc": {
              "enable": true,
              "address": "0.0.0.0:4317"
            }
          },
          "api": {
            "http": {
              "enable": true,
              "address": "0.0.0.0:8080"
            }
          }
        }
        """;

    [Test]
    public void Seed_readme_example_binds_with_the_environment_values()
    {
        SetVariable("OTELEPORT_ACCESS_KEY", "secret-1");
        SetVariable("OTELEPORT_CURSOR_ENCRYPTION_KEY", "c2VjcmV0LWN1cnNvci1rZXktMzItYnl0ZXMtbG9uZyE=");
        SetVariable("OTELEPORT_S3_BUCKET", "my-bucket");

        var options = Load(SeedExample);

        options.AccessKeys.Should().ContainSingle().Which.SecretKey.Should().Be("secret-1");
        options.AccessKeys[0].KeyId.Should().BeNull();
        options.Storage.CursorEncryptionKey.Should().Be("c2VjcmV0LWN1cnNvci1rZXktMzItYnl0ZXMtbG9uZyE=");
        options.Storage.Location.Should().Be("s3://my-bucket/");
        options.Otlp.Grpc.Enable.Should().BeTrue();
        options.Otlp.Grpc.Address.Should().Be("0.0.0.0:4317");
        options.Api.Http.Enable.Should().BeTrue();
        options.Api.Http.Address.Should().Be("0.0.0.0:8080");
        // Keys absent from the file keep their defaults.
        options.Storage.Gzip.Should().BeTrue();
        options.Otlp.Http.Address.Should().Be("0.0.0.0:4318");
        options.AccessKeyHeader.Should().Be(OteleportOptions.DefaultAccessKeyHeader);
    }

    [Test]
    public void Access_keys_as_strings_are_secret_keys()
    {
        var options = Load("""{ "access_keys": ["one", "two"] }""");

        options.AccessKeys.Select(k => (k.KeyId, k.SecretKey))
            .Should().Equal((null, "one"), (null, "two"));
    }

    [Test]
    public void Access_keys_as_objects_and_strings_mixed()
    {
        var options = Load("""
            { "access_keys": [
                { "key_id": "ci", "secret_key": "s1" },
                "s2",
                { "secret_key": "s3" }
            ] }
            """);

        options.AccessKeys.Select(k => (k.KeyId, k.SecretKey))
            .Should().Equal(("ci", "s1"), (null, "s2"), (null, "s3"));
    }

    [Test]
    public void Every_documented_key_binds_to_its_property()
    {
        var options = Load("""
            {
              "access_keys": [{ "key_id": "main", "secret_key": "k" }],
              "access_key_header": "X-Key",
              "storage": {
                "location": "file:///var/lib/oteleport/",
                "cursor_encryption_key": "cursor-key",
                "flatten": true,
                "gzip": false,
                "time_zone": "Asia/Tokyo",
                "aws": {
                  "region": "ap-northeast-1",
                  "endpoint": "http://localhost:9000",
                  "use_s3_path_style": true,
                  "checksum": "when_required",
                  "chunked_upload": false,
                  "credentials": {
                    "access_key_id": "AKID",
                    "secret_access_key": "SECRET",
                    "session_token": "TOKEN"
                  }
                }
              },
              "otlp": {
                "enable": false,
                "grpc": { "enable": true, "address": ":14317", "prefix": "/g" },
                "http": { "enable": false, "address": ":14318", "prefix": "/otlp" }
              },
              "api": {
                "enable": true,
                "http": { "enable": false, "address": ":18080", "prefix": "/oteleport" },
                "grpc": { "enable": true, "address": ":18081" }
              },
              "limits": {
                "default_fetch_limit": 50,
                "max_fetch_limit": 500,
                "max_request_bytes": 8589934592
              }
            }
            """);

        options.AccessKeys.Should().ContainSingle();
        options.AccessKeys[0].KeyId.Should().Be("main");
        options.AccessKeys[0].SecretKey.Should().Be("k");
        options.AccessKeyHeader.Should().Be("X-Key");

        var storage = options.Storage;
        storage.Location.Should().Be("file:///var/lib/oteleport/");
        storage.CursorEncryptionKey.Should().Be("cursor-key");
        storage.Flatten.Should().BeTrue();
        storage.Gzip.Should().BeFalse();
        storage.TimeZone.Should().Be("Asia/Tokyo");
        storage.Aws.Region.Should().Be("ap-northeast-1");
        storage.Aws.Endpoint.Should().Be("http://localhost:9000");
        storage.Aws.UseS3PathStyle.Should().BeTrue();
        storage.Aws.Checksum.Should().Be("when_required");
        storage.Aws.ChunkedUpload.Should().BeFalse();
        storage.Aws.Credentials.Should().NotBeNull();
        storage.Aws.Credentials!.AccessKeyId.Should().Be("AKID");
        storage.Aws.Credentials.SecretAccessKey.Should().Be("SECRET");
        storage.Aws.Credentials.SessionToken.Should().Be("TOKEN");

        options.Otlp.Enable.Should().BeFalse();
        options.Otlp.Grpc.Enable.Should().BeTrue();
        options.Otlp.Grpc.Address.Should().Be(":14317");
        options.Otlp.Grpc.Prefix.Should().Be("/g");
        options.Otlp.Http.Enable.Should().BeFalse();
        options.Otlp.Http.Address.Should().Be(":14318");
        options.Otlp.Http.Prefix.Should().Be("/otlp");

        options.Api.Enable.Should().BeTrue();
        options.Api.Http.Enable.Should().BeFalse();
        options.Api.Http.Address.Should().Be(":18080");
        options.Api.Http.Prefix.Should().Be("/oteleport");
        options.Api.Grpc.Enable.Should().BeTrue();
        options.Api.Grpc.Address.Should().Be(":18081");

        options.Limits.DefaultFetchLimit.Should().Be(50);
        options.Limits.MaxFetchLimit.Should().Be(500);
        options.Limits.MaxRequestBytes.Should().Be(8589934592L);
    }

    [Test]
    public void Storage_performance_keys_bind_in_file_spelling()
    {
        var options = Load("""
            { "storage": { "compression_level": "smallest", "read_ahead": 2, "flush_interval": "00:00:00.250", "max_batch_records": 5000 } }
            """);
        options.Storage.CompressionLevel.Should().Be(ObjectCompressionLevel.Smallest);
        options.Storage.ReadAhead.Should().Be(2);
        options.Storage.FlushInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.Storage.MaxBatchRecords.Should().Be(5000);
    }

    [Test]
    public void Values_are_stored_under_the_Oteleport_section_in_invariant_form()
    {
        var configuration = BuildConfiguration(WriteFile("""
            { "storage": { "flatten": true, "aws": { "use_s3_path_style": false } }, "limits": { "max_fetch_limit": 1e3 } }
            """));

        configuration["Oteleport:Storage:Flatten"].Should().Be("true");
        configuration["Oteleport:Storage:Aws:UseS3PathStyle"].Should().Be("false");
        configuration["Oteleport:Limits:MaxFetchLimit"].Should().Be("1000");
    }

    [TestCase("""{ "storage": { "flaten": true } }""", "storage.flaten")]
    [TestCase("""{ "storage": { "aws": { "regon": "x" } } }""", "storage.aws.regon")]
    [TestCase("""{ "acess_keys": [] }""", "acess_keys")]
    [TestCase("""{ "access_keys": [{ "key": "x" }] }""", "access_keys[0].key")]
    [TestCase("""{ "otlp": { "grpc": { "port": 4317 } } }""", "otlp.grpc.port")]
    public void Unknown_key_is_an_error_naming_the_file_and_key(string json, string key)
    {
        Loading(json).Should().Throw<InvalidDataException>()
            .WithMessage($"*oteleport.json: unknown key '{key}'*");
    }

    [Test]
    public void Unknown_key_error_lists_the_known_keys_in_file_spelling()
    {
        Loading("""{ "storage": { "aws": { "use_path_style": true } } }""").Should().Throw<InvalidDataException>()
            .Which.Message.Should().Contain("use_s3_path_style").And.Contain("chunked_upload");
    }

    [Test]
    public void Missing_environment_variable_is_an_error_naming_variable_and_key()
    {
        SetVariable("OTELEPORT_ACCESS_KEY", null);

        Loading("""{ "access_keys": ["${OTELEPORT_ACCESS_KEY}"] }""").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: environment variable OTELEPORT_ACCESS_KEY is not set (used by access_keys[0])");
    }

    [Test]
    public void Missing_environment_variable_in_a_nested_key_names_the_path()
    {
        SetVariable("OTELEPORT_TEST_MISSING", null);

        Loading("""{ "storage": { "aws": { "credentials": { "session_token": "${OTELEPORT_TEST_MISSING}" } } } }""")
            .Should().Throw<InvalidDataException>()
            .WithMessage("*OTELEPORT_TEST_MISSING is not set (used by storage.aws.credentials.session_token)");
    }

    [Test]
    public void Several_references_and_surrounding_text_in_one_value()
    {
        SetVariable("OTELEPORT_TEST_BUCKET", "logs");
        SetVariable("OTELEPORT_TEST_PREFIX", "prod");

        var options = Load("""{ "storage": { "location": "s3://${OTELEPORT_TEST_BUCKET}/${OTELEPORT_TEST_PREFIX}/signals/" } }""");

        options.Storage.Location.Should().Be("s3://logs/prod/signals/");
    }

    [Test]
    public void Empty_variable_is_allowed_as_must_env_allows_it()
    {
        SetVariable("OTELEPORT_TEST_EMPTY", "");

        // Environment.SetEnvironmentVariable with "" removes the variable on Windows; only check where it is kept.
        Assume.That(Environment.GetEnvironmentVariable("OTELEPORT_TEST_EMPTY"), Is.Not.Null);
        Load("""{ "storage": { "time_zone": "${OTELEPORT_TEST_EMPTY}" } }""").Storage.TimeZone.Should().BeEmpty();
    }

    [Test]
    public void Default_is_used_when_the_variable_is_unset()
    {
        SetVariable("OTELEPORT_TEST_REGION", null);

        var options = Load("""{ "storage": { "aws": { "region": "${OTELEPORT_TEST_REGION:-us-east-1}" } } }""");

        options.Storage.Aws.Region.Should().Be("us-east-1");
    }

    [Test]
    public void Default_is_ignored_when_the_variable_is_set()
    {
        SetVariable("OTELEPORT_TEST_REGION", "eu-west-1");

        var options = Load("""{ "storage": { "aws": { "region": "${OTELEPORT_TEST_REGION:-us-east-1}" } } }""");

        options.Storage.Aws.Region.Should().Be("eu-west-1");
    }

    [Test]
    public void Empty_default_is_allowed()
    {
        SetVariable("OTELEPORT_TEST_PREFIX", null);

        Load("""{ "api": { "http": { "prefix": "${OTELEPORT_TEST_PREFIX:-}" } } }""").Api.Http.Prefix.Should().BeEmpty();
    }

    [Test]
    public void Double_dollar_escapes_a_literal_reference()
    {
        SetVariable("OTELEPORT_TEST_NAME", null);

        var options = Load("""{ "access_keys": ["$${OTELEPORT_TEST_NAME}", "a$b$$c"] }""");

        options.AccessKeys.Select(k => k.SecretKey).Should().Equal("${OTELEPORT_TEST_NAME}", "a$b$$c");
    }

    [Test]
    public void Unterminated_reference_is_an_error_naming_the_key()
    {
        Loading("""{ "storage": { "location": "s3://${BUCKET/" } }""").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: '${' has no closing '}'*(used by storage.location)");
    }

    [Test]
    public void Variable_can_supply_a_boolean_or_a_number()
    {
        SetVariable("OTELEPORT_TEST_FLATTEN", "true");
        SetVariable("OTELEPORT_TEST_LIMIT", "250");

        var options = Load("""
            { "storage": { "flatten": "${OTELEPORT_TEST_FLATTEN}", "gzip": "${OTELEPORT_TEST_GZIP:-false}" },
              "limits": { "max_fetch_limit": "${OTELEPORT_TEST_LIMIT}" } }
            """);

        options.Storage.Flatten.Should().BeTrue();
        options.Storage.Gzip.Should().BeFalse();
        options.Limits.MaxFetchLimit.Should().Be(250);
    }

    [Test]
    public void Variable_with_a_wrong_value_for_a_boolean_is_an_error_naming_the_key()
    {
        SetVariable("OTELEPORT_TEST_FLATTEN", "yes");

        Loading("""{ "storage": { "flatten": "${OTELEPORT_TEST_FLATTEN}" } }""").Should().Throw<InvalidDataException>()
            .WithMessage("*'storage.flatten' must be true or false*");
    }

    [TestCase("""{ "storage": { "flatten": "yes" } }""", "'storage.flatten' must be true or false, not a string")]
    [TestCase("""{ "storage": { "gzip": 1 } }""", "'storage.gzip' must be true or false, not a number")]
    [TestCase("""{ "storage": { "location": { "bucket": "b" } } }""", "'storage.location' must be a string, not an object")]
    [TestCase("""{ "storage": { "location": 42 } }""", "'storage.location' must be a string, not a number")]
    [TestCase("""{ "storage": "s3://bucket/" }""", "'storage' must be an object, not a string")]
    [TestCase("""{ "storage": { "aws": [] } }""", "'storage.aws' must be an object, not an array")]
    [TestCase("""{ "access_keys": "secret" }""", "'access_keys' must be an array, not a string")]
    [TestCase("""{ "access_keys": [true] }""", "'access_keys[0]' must be an object, not a boolean")]
    [TestCase("""{ "access_keys": [{ "secret_key": 1 }] }""", "'access_keys[0].secret_key' must be a string, not a number")]
    [TestCase("""{ "limits": { "max_fetch_limit": "100" } }""", "'limits.max_fetch_limit' must be a number, not a string")]
    [TestCase("""{ "limits": { "max_fetch_limit": 1.5 } }""", "'limits.max_fetch_limit' must be a whole number from -2147483648 to 2147483647")]
    [TestCase("""{ "limits": { "max_fetch_limit": 3000000000 } }""", "'limits.max_fetch_limit' must be a whole number from -2147483648 to 2147483647")]
    [TestCase("""{ "otlp": { "enable": "true" } }""", "'otlp.enable' must be true or false, not a string")]
    public void Wrong_json_type_is_an_error_naming_the_key(string json, string message)
    {
        Loading(json).Should().Throw<InvalidDataException>().WithMessage($"*oteleport.json: {message}");
    }

    [Test]
    public void Top_level_must_be_an_object()
    {
        Loading("""["a"]""").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: the top level must be an object, not an array");
    }

    [Test]
    public void Duplicate_key_is_an_error()
    {
        Loading("""{ "storage": { "location": "a", "Location": "b" } }""").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: duplicate key 'storage.Location'");
    }

    [Test]
    public void Null_leaves_the_default()
    {
        var options = Load("""{ "storage": { "location": null, "gzip": null, "aws": { "credentials": null } } }""");

        options.Storage.Location.Should().Be(StorageOptions.DefaultLocation);
        options.Storage.Gzip.Should().BeTrue();
        options.Storage.Aws.Credentials.Should().BeNull();
    }

    [Test]
    public void Comments_and_trailing_commas_are_accepted()
    {
        var options = Load("""
            // oteleport config
            {
              /* where signals go */
              "storage": {
                "location": "./data", // a folder
                "gzip": false,
              },
              "access_keys": ["k",],
            }
            """);

        options.Storage.Location.Should().Be("./data");
        options.Storage.Gzip.Should().BeFalse();
        options.AccessKeys.Should().ContainSingle().Which.SecretKey.Should().Be("k");
    }

    [Test]
    public void Invalid_json_is_an_error_with_the_position()
    {
        Loading("{\n  \"storage\": { \"location\": \"x\" \n}").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: not valid JSON at line *");
    }

    [Test]
    public void Missing_file_is_an_error_naming_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "oteleport-config-tests", "does-not-exist", "oteleport.json");

        var act = () => BuildConfiguration(path);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage($"{path}: config file not found*")
            .Which.FileName.Should().Be(path);
    }

    [Test]
    public void Missing_optional_file_adds_nothing()
    {
        string path = Path.Combine(Path.GetTempPath(), "oteleport-config-tests", "does-not-exist", "oteleport.json");

        var configuration = new ConfigurationBuilder().AddOteleportConfigFile(path, optional: true).Build();

        configuration.AsEnumerable().Should().BeEmpty();
        Bind(configuration).Storage.Location.Should().Be(StorageOptions.DefaultLocation);
    }

    [Test]
    public void Optional_file_that_exists_is_read()
    {
        string path = WriteFile("""{ "access_key_header": "X-Key" }""");

        var configuration = new ConfigurationBuilder().AddOteleportConfigFile(path, optional: true).Build();

        Bind(configuration).AccessKeyHeader.Should().Be("X-Key");
    }

    [Test]
    public void Jsonnet_file_gets_a_clear_message()
    {
        const string SeedJsonnet = """
            local must_env = std.native('must_env');

            {
              access_keys: [
                must_env('OTELEPORT_ACCESS_KEY'),
              ],
            }
            """;

        Loading(SeedJsonnet, "oteleport.jsonnet").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.jsonnet: Jsonnet is not evaluated: render it to JSON first, e.g. `jsonnet oteleport.jsonnet > oteleport.json`*");
    }

    [Test]
    public void Jsonnet_in_a_json_file_is_recognised_by_its_local_statement()
    {
        Loading("// config\nlocal bucket = 'b';\n{ storage: { location: 's3://' + bucket } }").Should().Throw<InvalidDataException>()
            .WithMessage("*oteleport.json: Jsonnet is not evaluated: render it to JSON first, e.g. `jsonnet oteleport.jsonnet > oteleport.json`*");
    }

    [Test]
    public void Jsonnet_file_that_is_plain_json_is_read()
    {
        string path = WriteFile("""{ "storage": { "location": "./data" } }""", "oteleport.jsonnet");

        Bind(BuildConfiguration(path)).Storage.Location.Should().Be("./data");
    }

    [Test]
    public void Environment_variables_added_after_the_file_override_it()
    {
        SetVariable("Oteleport__Storage__Location", "s3://from-env/");
        SetVariable("Oteleport__Storage__Gzip", "false");
        string path = WriteFile("""{ "storage": { "location": "s3://from-file/", "gzip": true, "flatten": true } }""");

        var configuration = new ConfigurationBuilder()
            .AddOteleportConfigFile(path)
            .AddEnvironmentVariables()
            .Build();
        var options = Bind(configuration);

        options.Storage.Location.Should().Be("s3://from-env/");
        options.Storage.Gzip.Should().BeFalse();
        options.Storage.Flatten.Should().BeTrue();
    }

    [Test]
    public void Keys_also_match_in_pascal_case()
    {
        Load("""{ "Storage": { "CursorEncryptionKey": "k" } }""").Storage.CursorEncryptionKey.Should().Be("k");
    }
}
