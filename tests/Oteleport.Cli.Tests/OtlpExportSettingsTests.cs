using Oteleport.Cli.Replay;
using Oteleport.Cli.Settings;
using Oteleport.Testing;

namespace Oteleport.Cli.Tests;

/// <summary>How the replay target is resolved from flags, OTEL_EXPORTER_OTLP_* variables and a profile.</summary>
[TestFixture]
public sealed class OtlpExportSettingsTests
{
    private static OtlpExportSettings Resolve(string signal, Dictionary<string, string> environment, string? endpoint = null, string? protocol = null, string[]? headers = null, Profile? profile = null)
    {
        var host = new CliHost { Out = TextWriter.Null, Error = TextWriter.Null, GetEnvironmentVariable = environment.GetValueOrDefault };
        return OtlpExportSettings.Resolve(host, profile ?? Profile.Empty, signal, endpoint, protocol, headers ?? []);
    }

    [Test]
    public void Defaults_are_http_protobuf_to_localhost_4318_and_grpc_to_4317()
    {
        var http = Resolve("traces", []);
        var grpc = Resolve("traces", [], protocol: "grpc");

        http.Protocol.Should().Be(OtlpProtocol.HttpProtobuf);
        http.Endpoint.Should().Be(new Uri("http://localhost:4318/v1/traces"));
        http.Gzip.Should().BeFalse();
        http.Timeout.Should().Be(TimeSpan.FromSeconds(10));
        grpc.Endpoint.Should().Be(new Uri("http://localhost:4317/"));
    }

    [TestCase("http://collector:4318", "metrics", "http://collector:4318/v1/metrics")]
    [TestCase("http://collector:4318/", "logs", "http://collector:4318/v1/logs")]
    [TestCase("https://gateway.example/otlp/", "traces", "https://gateway.example/otlp/v1/traces")]
    public void A_base_endpoint_gets_the_signal_path_for_http(string baseEndpoint, string signal, string expected)
    {
        Resolve(signal, new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = baseEndpoint }).Endpoint.Should().Be(new Uri(expected));
        Resolve(signal, [], endpoint: baseEndpoint).Endpoint.Should().Be(new Uri(expected), "--otlp-endpoint is a base endpoint too");
    }

    [Test]
    public void A_signal_endpoint_is_used_as_it_is_and_wins_over_the_base()
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://base:4318",
            ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = "http://logs:9999/custom/path",
        };

        Resolve("logs", environment).Endpoint.Should().Be(new Uri("http://logs:9999/custom/path"));
        Resolve("traces", environment).Endpoint.Should().Be(new Uri("http://base:4318/v1/traces"));
        Resolve("logs", environment, endpoint: "http://flag:4318").Endpoint.Should().Be(new Uri("http://flag:4318/v1/logs"), "the command line wins");
    }

    [Test]
    public void A_grpc_endpoint_is_never_given_a_path()
    {
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc" };

        Resolve("metrics", environment).Endpoint.Should().Be(new Uri("http://collector:4317"));
    }

    [Test]
    public void Signal_variables_win_over_general_ones()
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"] = "http/json",
            ["OTEL_EXPORTER_OTLP_COMPRESSION"] = "gzip",
            ["OTEL_EXPORTER_OTLP_METRICS_COMPRESSION"] = "none",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "2500",
            ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] = "700",
        };

        var metrics = Resolve("metrics", environment);
        var traces = Resolve("traces", environment);

        metrics.Protocol.Should().Be(OtlpProtocol.HttpJson);
        metrics.Gzip.Should().BeFalse();
        metrics.Timeout.Should().Be(TimeSpan.FromMilliseconds(2500));
        traces.Protocol.Should().Be(OtlpProtocol.Grpc);
        traces.Gzip.Should().BeTrue();
        traces.Timeout.Should().Be(TimeSpan.FromMilliseconds(700));
    }

    [Test]
    public void Headers_are_url_decoded_and_later_sources_win_by_name()
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=a%20b%2Cc, x-team = core ,x-empty=",
            ["OTEL_EXPORTER_OTLP_LOGS_HEADERS"] = "API-KEY=from-signal",
        };

        var traces = Resolve("traces", environment);
        var logs = Resolve("logs", environment, headers: ["x-team=from-flag"]);

        traces.Headers.Should().Equal(
            KeyValuePair.Create("api-key", "a b,c"), KeyValuePair.Create("x-team", "core"), KeyValuePair.Create("x-empty", ""));
        logs.Headers.Should().Equal(
            KeyValuePair.Create("x-empty", ""), KeyValuePair.Create("API-KEY", "from-signal"), KeyValuePair.Create("x-team", "from-flag"));
    }

    [Test]
    public async Task A_profile_gives_what_flags_and_variables_leave_open()
    {
        using var folder = new TempFolder("profile");
        var path = Path.Combine(folder.Path, "p.json");
        await File.WriteAllTextAsync(path, """
            {
              // comments are allowed
              "otlp_endpoint": "http://profile:4318",
              "otlpProtocol": "http/json",
              "otlpHeaders": { "authorization": "Bearer abc" },
              "otlpCompression": "gzip",
              "otlpTimeout": 1234,
            }
            """);
        var profile = Profile.Load(path);

        var settings = Resolve("logs", [], profile: profile);
        var overridden = Resolve("logs", new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://env:4318" }, protocol: "grpc", profile: profile);

        settings.Should().BeEquivalentTo(new OtlpExportSettings(OtlpProtocol.HttpJson, new Uri("http://profile:4318/v1/logs"),
            [KeyValuePair.Create("authorization", "Bearer abc")], true, TimeSpan.FromMilliseconds(1234)));
        overridden.Protocol.Should().Be(OtlpProtocol.Grpc);
        overridden.Endpoint.Should().Be(new Uri("http://env:4318"));
    }

    [TestCase("OTEL_EXPORTER_OTLP_PROTOCOL", "http")]
    [TestCase("OTEL_EXPORTER_OTLP_COMPRESSION", "zstd")]
    [TestCase("OTEL_EXPORTER_OTLP_TIMEOUT", "0")]
    [TestCase("OTEL_EXPORTER_OTLP_TIMEOUT", "ten")]
    [TestCase("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318")]
    [TestCase("OTEL_EXPORTER_OTLP_HEADERS", "=value")]
    public void Invalid_values_are_usage_errors_naming_them(string variable, string value)
    {
        var act = () => Resolve("traces", new() { [variable] = value });

        act.Should().Throw<UsageException>().WithMessage($"*{value}*");
    }
}
