using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary><c>--config file.json</c> in the Go server's shape, and start-up errors that name their cause.</summary>
[NonParallelizable] // environment variables and Console.Error are process-wide
public sealed class ConfigFileTests
{
    private readonly Dictionary<string, string?> _savedVariables = [];
    private TempFolder _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder("e2e-config");

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in _savedVariables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
        _savedVariables.Clear();
        _folder.Dispose();
    }

    private string SetVariable(string value)
    {
        var name = $"OTELEPORT_E2E_{Guid.NewGuid():N}".ToUpperInvariant();
        _savedVariables[name] = Environment.GetEnvironmentVariable(name);
        Environment.SetEnvironmentVariable(name, value);
        return name;
    }

    private string WriteConfig(string json)
    {
        var path = Path.Combine(_folder.Path, $"oteleport-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string Quoted(string text) => JsonSerializer.Serialize(text);

    /// <summary>The seed README's example with loopback addresses and a folder instead of a bucket.</summary>
    private static string SeedShapedConfig(ServerPorts ports, string keyVariable, string cursorKeyVariable, string dataVariable) => $$"""
        {
          "access_keys": [
            "${{{keyVariable}}}"
          ],
          "storage": {
            "cursor_encryption_key": "${{{cursorKeyVariable}}}",
            "location": "${{{dataVariable}}}"
          },
          "otlp": {
            "grpc": { "enable": true, "address": "127.0.0.1:{{ports.Grpc}}" },
            "http": { "enable": true, "address": "127.0.0.1:{{ports.Http}}" }
          },
          "api": {
            "http": { "enable": true, "address": "127.0.0.1:{{ports.Api}}" }
          }
        }
        """;

    [Test]
    public async Task A_seed_shaped_config_file_starts_a_working_server()
    {
        var data = Path.Combine(_folder.Path, "data");
        var key = SetVariable("key-from-the-environment");
        var cursorKey = SetVariable(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        var dataVariable = SetVariable(data);
        var server = await ServerInstance.StartAsync(data, ports => ["--config", WriteConfig(SeedShapedConfig(ports, key, cursorKey, dataVariable))]);
        try
        {
            var keyHeader = new KeyValuePair<string, string>("Oteleport-Access-Key", "key-from-the-environment");
            var trace = new TraceService.TraceServiceClient(server.Channel);
            var spans = TestSignals.Spans(12, DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromSeconds(1));

            (await trace.Invoking(t => t.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { spans.ResourceSpans } }).ResponseAsync)
                .Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated, "the file's access key applies");
            await trace.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { spans.ResourceSpans } },
                new Metadata { { "oteleport-access-key", "key-from-the-environment" } });

            var (start, end) = AroundNow();
            var request = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 5 };
            var firstPage = await server.FetchTracesAsync(request, Wire.Json, keyHeader);
            TestSignals.AllSpans(firstPage.ResourceSpans).Should().HaveCount(5);
            Directory.EnumerateFiles(Path.Combine(data, "traces"), "*.json.gz", SearchOption.AllDirectories).Should().NotBeEmpty("the file's storage.location is used");
            File.Exists(Path.Combine(data, ".oteleport-cursor-key")).Should().BeFalse("the configured cursor key is used, none is generated");

            server = await server.RestartAsync();
            var secondPage = await server.FetchTracesAsync(new FetchTracesDataRequest(request) { Cursor = firstPage.NextCursor }, Wire.Json, keyHeader);
            TestSignals.AllSpans(secondPage.ResourceSpans).Should().HaveCount(5, "the configured cursor key survives the restart");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }

    [Test]
    public async Task Command_line_settings_win_over_the_config_file()
    {
        var fromFile = Path.Combine(_folder.Path, "from-file");
        var fromCommandLine = Path.Combine(_folder.Path, "from-command-line");
        var config = WriteConfig($$"""
            {
              "storage": { "location": {{Quoted(fromFile)}} },
              "otlp": { "http": { "address": "127.0.0.1:1" } }
            }
            """);

        // ServerInstance passes the addresses and the location on the command line, beside --config.
        await using var server = await ServerInstance.StartAsync(fromCommandLine, "--config", config);

        await server.ExportAsync(TestSignals.Spans(1, DateTimeOffset.UtcNow, TimeSpan.Zero));
        Directory.Exists(Path.Combine(fromCommandLine, "traces")).Should().BeTrue();
        Directory.Exists(fromFile).Should().BeFalse();
    }

    [Test]
    public async Task An_unknown_key_is_exit_code_1_with_a_message_naming_it()
    {
        var config = WriteConfig("""
            {
              "storage": { "locaton": "./somewhere" }
            }
            """);

        var (exitCode, errors) = await RunCapturingErrorsAsync("--config", config);

        exitCode.Should().Be(1);
        errors.Should().Contain("storage.locaton");
    }

    [Test]
    public async Task A_missing_environment_variable_is_exit_code_1_with_a_message_naming_it()
    {
        var missing = $"OTELEPORT_E2E_MISSING_{Guid.NewGuid():N}".ToUpperInvariant();
        _savedVariables[missing] = Environment.GetEnvironmentVariable(missing);
        Environment.SetEnvironmentVariable(missing, null);
        var config = WriteConfig($$"""
            { "access_keys": ["${{{missing}}}"] }
            """);

        var (exitCode, errors) = await RunCapturingErrorsAsync("--config", config);

        exitCode.Should().Be(1);
        errors.Should().Contain(missing);
    }

    [Test]
    public async Task A_missing_config_file_is_exit_code_1_with_a_message_naming_it()
    {
        var path = Path.Combine(_folder.Path, "absent.json");

        var (exitCode, errors) = await RunCapturingErrorsAsync("--config", path);

        exitCode.Should().Be(1);
        errors.Should().Contain("absent.json");
    }

    [Test]
    public async Task An_unknown_key_on_the_command_line_is_exit_code_1_naming_it()
    {
        var (exitCode, errors) = await RunCapturingErrorsAsync("--Oteleport:Storage:Flaten=true");

        exitCode.Should().Be(1);
        errors.Should().Contain("unknown key Oteleport:Storage:Flaten").And.Contain("Flatten");
    }

    [Test]
    public async Task An_unknown_key_in_an_environment_variable_is_exit_code_1_naming_it()
    {
        _savedVariables["Oteleport__Storage__Flaten"] = Environment.GetEnvironmentVariable("Oteleport__Storage__Flaten");
        Environment.SetEnvironmentVariable("Oteleport__Storage__Flaten", "true");

        var (exitCode, errors) = await RunCapturingErrorsAsync();

        exitCode.Should().Be(1);
        errors.Should().Contain("unknown key Oteleport:Storage:Flaten");
    }

    [Test]
    public async Task A_value_that_is_not_a_boolean_is_exit_code_1_naming_the_key_without_a_stack_trace()
    {
        var (exitCode, errors) = await RunCapturingErrorsAsync("--Oteleport:Storage:Gzip=maybe");

        exitCode.Should().Be(1);
        errors.Should().Contain("Oteleport:Storage:Gzip: 'maybe' is not true or false").And.NotContain(" at ");
    }

    [Test]
    public async Task An_access_key_given_as_a_value_is_exit_code_1_rather_than_a_server_without_a_key()
    {
        var (exitCode, errors) = await RunCapturingErrorsAsync("--Oteleport:AccessKeys:0=secret-given-the-wrong-way");

        exitCode.Should().Be(1);
        errors.Should().Contain("Oteleport:AccessKeys:0:SecretKey").And.NotContain("secret-given-the-wrong-way");
    }

    [Test]
    public async Task Invalid_values_are_exit_code_1_with_every_setting_named()
    {
        var (exitCode, errors) = await RunCapturingErrorsAsync(
            "--Oteleport:Limits:MaxRequestBytes=0", "--Oteleport:Storage:TimeZone=Mars/Olympus_Mons", "--Oteleport:Otlp:Http:Prefix=otel/");

        exitCode.Should().Be(1);
        errors.Should().Contain("invalid configuration").And.Contain("limits.max_request_bytes must be positive")
            .And.Contain("storage.time_zone: unknown time zone 'Mars/Olympus_Mons'").And.Contain("otlp.http.prefix: 'otel/' must start with '/'");
    }

    private static async Task<(int ExitCode, string Errors)> RunCapturingErrorsAsync(params string[] args)
    {
        var original = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            // Fails while building, before any listener binds: nothing to stop afterwards.
            var exitCode = await OteleportServer.RunAsync(args).WaitAsync(TimeSpan.FromSeconds(30));
            return (exitCode, captured.ToString());
        }
        finally
        {
            Console.SetError(original);
        }
    }
}
