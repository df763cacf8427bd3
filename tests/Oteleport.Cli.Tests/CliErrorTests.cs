using Oteleport.Cli.Tests.Support;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Cli.Tests;

/// <summary>Failures end with exit code 1 and one line naming the reason; bad arguments with 2.</summary>
[TestFixture]
public sealed class CliErrorTests
{
    private const string Key = "error-key";
    private RunningServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await RunningServer.StartAsync(Key);

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [Test]
    public async Task A_wrong_key_is_one_line_naming_the_endpoint_and_403()
    {
        var result = await OteleportCli.RunAsync("traces", "--endpoint", _server.ApiUrl, "--access-key", "wrong");

        result.ExitCode.Should().Be(1);
        result.Out.Should().BeEmpty();
        result.ErrorLines.Should().Equal($"oteleport: access key rejected by {_server.ApiUrl}: 403");
        result.Error.Should().NotContain("wrong", "a key is never printed");
    }

    [Test]
    public async Task A_missing_key_is_one_line_naming_the_endpoint_and_401()
    {
        var result = await OteleportCli.RunAsync("logs", "--endpoint", _server.ApiUrl);

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().Equal($"oteleport: {_server.ApiUrl} needs an access key (--access-key or OTELEPORT_ACCESS_KEY): 401");
    }

    [Test]
    public async Task An_unreachable_server_is_one_line_naming_it()
    {
        var port = FreePort.Next();

        var result = await OteleportCli.RunAsync("metrics", "--endpoint", $"http://127.0.0.1:{port}");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith($"oteleport: cannot reach http://127.0.0.1:{port}: ");
    }

    [Test]
    public async Task A_request_the_server_refuses_is_one_line_with_its_reason()
    {
        var result = await OteleportCli.RunAsync("traces", "--endpoint", _server.ApiUrl, "--access-key", Key, "--limit", "20000");

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().Equal($"oteleport: {_server.ApiUrl} answered 400: limit 20000 is above the maximum of 10000");
    }

    [TestCase("traces", "--bogus")]
    [TestCase("spans")]
    [TestCase()]
    [TestCase("traces", "--since", "5x")]
    [TestCase("traces", "--since", "-5m")]
    [TestCase("traces", "--until", "1h", "--since", "5m")]
    [TestCase("traces", "--since", "5m", "--start-time", "2024-01-01T00:00:00Z")]
    [TestCase("traces", "--start-time", "yesterday")]
    [TestCase("traces", "--start-time", "2024-02-30T00:00:00Z")]
    [TestCase("traces", "--end-time", "2024-01-01T00:00:00")]
    [TestCase("logs", "--limit", "many")]
    [TestCase("logs", "--limit", "0")]
    [TestCase("logs", "--output", "xml")]
    [TestCase("logs", "--endpoint", "localhost:8080")]
    [TestCase("logs", "--follow", "--end-time", "2024-01-01T00:00:00Z")]
    [TestCase("logs", "--poll-interval", "0s", "--follow")]
    [TestCase("logs", "--time-shift", "tomorrow")]
    [TestCase("logs", "--otlp-endpoint", "grpc://collector:4317")]
    [TestCase("logs", "--otlp-protocol", "udp")]
    [TestCase("logs", "--otlp-protocol", "grpc")]
    [TestCase("logs", "--replay", "--otlp-header", "no-equals-sign")]
    [TestCase("logs", "--profile", "/nonexistent/profile.json")]
    public async Task Bad_arguments_are_exit_code_2_with_one_line(params string[] args)
    {
        var result = await OteleportCli.RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Out.Should().BeEmpty();
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("oteleport: ");
    }

    [Test]
    public async Task Bad_settings_in_the_environment_or_a_profile_are_usage_errors_too()
    {
        using var folder = new TempFolder("profile");
        var profile = Path.Combine(folder.Path, "bad.json");
        await File.WriteAllTextAsync(profile, """{ "endpoint": "http://localhost:8080", "acess_key": "typo" }""");

        var typo = await OteleportCli.RunAsync("traces", "--profile", profile);
        var protocol = await OteleportCli.RunAsync(["traces", "--replay"], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "thrift" });
        var timeout = await OteleportCli.RunAsync(["traces", "--replay"], new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "10s" });

        typo.ExitCode.Should().Be(2);
        typo.ErrorLines.Should().ContainSingle().Which.Should().Contain("unknown setting 'acess_key'");
        protocol.ExitCode.Should().Be(2);
        protocol.ErrorLines.Should().ContainSingle().Which.Should().Contain("thrift");
        timeout.ExitCode.Should().Be(2);
    }

    [Test]
    public async Task Help_is_not_an_error()
    {
        var result = await OteleportCli.RunAsync("traces", "--help");

        result.ExitCode.Should().Be(0);
        result.Out.Should().Contain("--follow-lag").And.Contain("--time-shift");
    }
}
