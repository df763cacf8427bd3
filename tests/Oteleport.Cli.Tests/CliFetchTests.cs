using System.Diagnostics;
using System.Text;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cli.Tests.Support;
using Oteleport.Otlp.Json;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Cli.Tests;

/// <summary><c>oteleport traces|metrics|logs</c> printing what the real server holds.</summary>
[TestFixture]
public sealed class CliFetchTests
{
    private const string Key = "cli-fetch-key";
    private static readonly DateTimeOffset Base = new(2024, 6, 1, 9, 30, 0, TimeSpan.Zero);

    private RunningServer _server = null!;
    private TracesData _spans = null!;
    private MetricsData _metrics = null!;
    private LogsData _logs = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RunningServer.StartAsync(Key);
        // Spans over two hour partitions (09:30 .. 10:19), sent in two requests.
        var first = Ingest.SpansWithEvents(20, Base, TimeSpan.FromMinutes(1));
        var second = Ingest.SpansWithEvents(30, Base.AddMinutes(20), TimeSpan.FromMinutes(1), offset: 20);
        _spans = new TracesData { ResourceSpans = { first.ResourceSpans, second.ResourceSpans } };
        await _server.SendAsync(first);
        await _server.SendAsync(second);
        _metrics = TestSignals.AllMetricKinds(Base.AddMinutes(1), points: 4);
        await _server.SendAsync(_metrics);
        _logs = Ingest.LogsObserved(30, Base, TimeSpan.FromSeconds(30));
        await _server.SendAsync(_logs);
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private string[] Args(string signal, params string[] more) =>
    [
        signal, "--endpoint", _server.ApiUrl, "--access-key", Key,
        "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1)), .. more,
    ];

    [Test]
    public async Task Traces_are_printed_as_one_OTLP_JSON_document_per_page()
    {
        var result = await OteleportCli.RunAsync(Args("traces", "--limit", "20"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().BeEmpty();
        var pages = result.Parse<TracesData>();
        pages.Select(p => TestSignals.AllSpans(p.ResourceSpans).Count).Should().Equal(20, 20, 10);
        Records.Of(pages.SelectMany(p => p.ResourceSpans)).Should().Equal(Records.Of(_spans));
        result.OutLines[0].Should().StartWith("{\"resourceSpans\":[");
    }

    [Test]
    public async Task Metrics_of_all_five_kinds_are_printed_as_sent()
    {
        var result = await OteleportCli.RunAsync(Args("metrics"));

        result.ExitCode.Should().Be(0, result.ToString());
        var pages = result.Parse<MetricsData>();
        pages.Should().ContainSingle();
        Records.Of(pages[0]).Should().HaveCount(20).And.Equal(Records.Of(_metrics));
    }

    [Test]
    public async Task Logs_are_printed_as_sent()
    {
        var result = await OteleportCli.RunAsync(Args("logs", "--limit", "7"));

        result.ExitCode.Should().Be(0, result.ToString());
        var pages = result.Parse<LogsData>();
        pages.Should().HaveCount(5);
        Records.Of(pages.SelectMany(p => p.ResourceLogs)).Should().Equal(Records.Of(_logs));
        result.Out.Should().Contain("\"traceId\":\"", "ids are hex in OTLP JSON").And.NotContain("\"traceId\":\"AQ");
    }

    [Test]
    public async Task Jsonl_prints_one_record_per_line_with_its_resource_and_scope()
    {
        var traces = await OteleportCli.RunAsync(Args("traces", "--output", "jsonl", "--limit", "15"));
        var metrics = await OteleportCli.RunAsync(Args("metrics", "-o", "jsonl"));
        var logs = await OteleportCli.RunAsync(Args("logs", "-o", "jsonl"));

        traces.ExitCode.Should().Be(0, traces.ToString());
        var spanLines = traces.Parse<ResourceSpans>();
        spanLines.Should().HaveCount(50).And.OnlyContain(r => r.ScopeSpans.Count == 1 && r.ScopeSpans[0].Spans.Count == 1);
        Records.Of(spanLines).Should().Equal(Records.Of(_spans));
        traces.OutLines[0].Should().StartWith("{\"resource\":");

        var pointLines = metrics.Parse<ResourceMetrics>();
        pointLines.Should().HaveCount(20).And.OnlyContain(r => r.ScopeMetrics.Count == 1 && r.ScopeMetrics[0].Metrics.Count == 1);
        pointLines.SelectMany(r => Records.SplitPoints(r.ScopeMetrics[0].Metrics[0])).Should().HaveCount(20, "each line holds one data point");
        Records.Of(pointLines).Should().Equal(Records.Of(_metrics));

        var logLines = logs.Parse<ResourceLogs>();
        logLines.Should().HaveCount(30).And.OnlyContain(r => r.ScopeLogs.Count == 1 && r.ScopeLogs[0].LogRecords.Count == 1);
        Records.Of(logLines).Should().Equal(Records.Of(_logs));
    }

    [Test]
    public async Task An_empty_range_prints_nothing_and_succeeds()
    {
        var result = await OteleportCli.RunAsync("traces", "--endpoint", _server.ApiUrl, "--access-key", Key, "--start-time", "2020-01-01T00:00:00Z", "--end-time", "2020-01-01T01:00:00Z");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().BeEmpty();
    }

    [Test]
    public async Task Since_and_until_pick_a_range_relative_to_now()
    {
        var now = DateTimeOffset.UtcNow;
        var recent = Ingest.LogsObserved(3, now.AddMinutes(-3), TimeSpan.FromSeconds(1), prefix: "recent");
        var older = Ingest.LogsObserved(2, now.AddMinutes(-20), TimeSpan.FromSeconds(1), prefix: "older");
        await _server.SendAsync(recent);
        await _server.SendAsync(older);

        var byDefault = await OteleportCli.RunAsync("logs", "--endpoint", _server.ApiUrl, "--access-key", Key);
        var window = await OteleportCli.RunAsync("logs", "--endpoint", _server.ApiUrl, "--access-key", Key, "--since", "30m", "--until", "10m");

        byDefault.ExitCode.Should().Be(0, byDefault.ToString());
        Records.Of(byDefault.Parse<LogsData>().SelectMany(d => d.ResourceLogs)).Should().Equal(Records.Of(recent), "the default is the last 5 minutes");
        Records.Of(window.Parse<LogsData>().SelectMany(d => d.ResourceLogs)).Should().Equal(Records.Of(older));
    }

    [Test]
    public async Task Endpoint_and_key_come_from_the_environment_or_a_profile()
    {
        using var folder = new TempFolder("profile");
        var profile = Path.Combine(folder.Path, "prod.json");
        await File.WriteAllTextAsync(profile, $$"""{ "endpoint": "{{_server.ApiUrl}}", "access_key": "{{Key}}", "accessKeyHeader": "Oteleport-Access-Key", "limit": 25 }""");
        string[] range = ["--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1))];

        var fromEnvironment = await OteleportCli.RunAsync(["traces", .. range], new Dictionary<string, string>
        {
            ["OTELEPORT_ENDPOINT"] = _server.ApiUrl,
            ["OTELEPORT_ACCESS_KEY"] = Key,
            ["OTELEPORT_ACCESS_KEY_HEADER"] = "oteleport-access-key",
        });
        var fromProfile = await OteleportCli.RunAsync(["traces", "--profile", profile, .. range]);
        var fromProfileVariable = await OteleportCli.RunAsync(["traces", .. range], new Dictionary<string, string> { ["OTELEPORT_PROFILE"] = profile });
        var optionWins = await OteleportCli.RunAsync(["traces", "--profile", profile, "--access-key", "not-the-key", .. range]);

        foreach (var result in new[] { fromEnvironment, fromProfile, fromProfileVariable })
        {
            result.ExitCode.Should().Be(0, result.ToString());
            Records.Of(result.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Should().Equal(Records.Of(_spans));
        }
        fromProfile.OutLines.Should().HaveCount(2, "the profile's limit of 25 makes two pages of 50 spans");
        optionWins.ExitCode.Should().Be(1, "the command line wins over the profile");
    }

    [Test]
    public async Task The_built_tool_runs_as_a_process_and_prints_the_same()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Oteleport.Cli.dll");
        File.Exists(dll).Should().BeTrue();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { dll, "logs", "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1)), "--limit", "10" })
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("OTEL", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["OTELEPORT_ENDPOINT"] = _server.ApiUrl;
        start.Environment["OTELEPORT_ACCESS_KEY"] = Key;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        var result = new CliResult(process.ExitCode, await stdout, await stderr);
        result.ExitCode.Should().Be(0, result.ToString());
        result.Error.Should().BeEmpty();
        result.OutLines.Should().HaveCount(3);
        Records.Of(result.Parse<LogsData>().SelectMany(d => d.ResourceLogs)).Should().Equal(Records.Of(_logs));
    }

    [Test]
    public async Task Version_prints_the_tools_version()
    {
        var result = await OteleportCli.RunAsync("version");

        result.ExitCode.Should().Be(0);
        result.Out.Should().MatchRegex(@"^oteleport \d+\.\d+\.\d+\S*\r?\n$");
    }

    [Test]
    public async Task Progress_goes_to_stderr_when_asked_for()
    {
        var result = await OteleportCli.RunAsync(Args("traces", "--progress"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.ErrorLines.Last().Should().StartWith("traces: fetched 50 spans in 1 pages");
        Records.Of(result.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Should().HaveCount(50, "progress never mixes into stdout");
    }
}
