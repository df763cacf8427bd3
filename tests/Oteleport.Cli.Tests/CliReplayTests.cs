using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cli.Tests.Support;
using Oteleport.Client;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Cli.Tests;

/// <summary>Replaying from one real server into another over each OTLP protocol, and moving timestamps.</summary>
[TestFixture]
public sealed class CliReplayTests
{
    private const string SourceKey = "source-key";
    private const string TargetKey = "target-key";
    private static readonly DateTimeOffset Base = new(2024, 7, 1, 22, 40, 0, TimeSpan.Zero);

    private RunningServer _source = null!;
    private TracesData _spans = null!;
    private MetricsData _metrics = null!;
    private LogsData _logs = null!;

    [OneTimeSetUp]
    public async Task StartSource()
    {
        _source = await RunningServer.StartAsync(SourceKey);
        _spans = Ingest.SpansWithEvents(40, Base, TimeSpan.FromMinutes(1));
        await _source.SendAsync(_spans);
        _metrics = TestSignals.AllMetricKinds(Base.AddMinutes(3), points: 3);
        await _source.SendAsync(_metrics);
        _logs = Ingest.LogsObserved(25, Base.AddSeconds(5), TimeSpan.FromMinutes(1));
        await _source.SendAsync(_logs);
    }

    [OneTimeTearDown]
    public async Task StopSource() => await _source.DisposeAsync();

    private string[] Range => ["--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1))];

    private string[] Source(string signal, params string[] more) => [signal, "--endpoint", _source.ApiUrl, "--access-key", SourceKey, .. Range, .. more];

    [TestCase("grpc")]
    [TestCase("http/protobuf")]
    [TestCase("http/json")]
    public async Task Replay_sends_every_record_to_the_target_exactly_once(string protocol)
    {
        await using var target = await RunningServer.StartAsync(TargetKey);
        var endpoint = protocol == "grpc" ? target.OtlpGrpcEndpoint : target.OtlpHttpEndpoint;
        // gzip on the wire for two of the three protocols, as the variable asks.
        var environment = new Dictionary<string, string>();
        if (protocol != "http/protobuf")
        {
            environment["OTEL_EXPORTER_OTLP_COMPRESSION"] = "gzip";
        }

        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            var result = await OteleportCli.RunAsync(
                Source(signal, "--limit", "9", "--otlp-endpoint", endpoint.AbsoluteUri, "--otlp-protocol", protocol, "--otlp-header", $"Oteleport-Access-Key={TargetKey}"),
                environment);
            result.ExitCode.Should().Be(0, $"{signal}: {result}");
            result.Out.Should().BeEmpty("a replay prints nothing unless --output is given");
        }

        await AssertTargetHoldsTheSourceRecords(target);
    }

    [Test]
    public async Task Replay_is_configured_by_the_standard_OTEL_EXPORTER_OTLP_variables()
    {
        await using var target = await RunningServer.StartAsync(TargetKey);
        var environment = new Dictionary<string, string>
        {
            // A signal's own endpoint is used as it is; the others get /v1/{signal} appended.
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = target.OtlpHttpEndpoint.AbsoluteUri,
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = target.OtlpGrpcEndpoint.AbsoluteUri,
            ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "grpc",
            ["OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"] = new Uri(target.OtlpHttpEndpoint, "/v1/logs").AbsoluteUri,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json",
            // Values are URL-encoded: "target%2Dkey" is "target-key".
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-unused=a%20b,Oteleport-Access-Key=target%2Dkey",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "5000",
        };

        foreach (var signal in new[] { "traces", "metrics", "logs" })
        {
            var result = await OteleportCli.RunAsync(Source(signal), environment);
            result.ExitCode.Should().Be(0, $"{signal}: {result}");
            result.Out.Should().BeEmpty();
            result.ErrorLines.Should().ContainSingle().Which.Should().StartWith($"oteleport: replaying {signal} to http://127.0.0.1:");
        }

        await AssertTargetHoldsTheSourceRecords(target);
    }

    [Test]
    public async Task Replay_with_output_also_prints()
    {
        await using var target = await RunningServer.StartAsync();

        var result = await OteleportCli.RunAsync(Source("logs", "--otlp-endpoint", target.OtlpHttpEndpoint.AbsoluteUri, "--output", "jsonl", "--progress"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.OutLines.Should().HaveCount(25);
        result.ErrorLines.Last().Should().StartWith("logs: fetched 25 log records in 1 pages, sent 25");
    }

    [Test]
    public async Task A_target_that_refuses_the_data_fails_the_run_with_one_line()
    {
        await using var target = await RunningServer.StartAsync(TargetKey);

        var result = await OteleportCli.RunAsync(Source("traces", "--otlp-endpoint", target.OtlpHttpEndpoint.AbsoluteUri, "--otlp-header", "Oteleport-Access-Key=wrong"));

        result.ExitCode.Should().Be(1);
        result.ErrorLines.Should().ContainSingle().Which.Should().Be(
            $"oteleport: export to {target.OtlpHttpEndpoint.AbsoluteUri}v1/traces (http/protobuf) failed: 403 Forbidden: access key rejected");
    }

    [Test]
    public async Task Time_shift_moves_every_timestamp_by_the_same_amount()
    {
        var target = new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero).AddTicks(1234567);
        var targetNanos = TestSignals.UnixNano(target);

        var traces = await OteleportCli.RunAsync(Source("traces", "--limit", "7", "--time-shift", Ingest.Rfc3339(target)));
        var metrics = await OteleportCli.RunAsync(Source("metrics", "--limit", "4", "--time-shift", Ingest.Rfc3339(target)));
        var logs = await OteleportCli.RunAsync(Source("logs", "--limit", "4", "--output", "jsonl", "--time-shift", Ingest.Rfc3339(target)));

        foreach (var result in new[] { traces, metrics, logs })
        {
            result.ExitCode.Should().Be(0, result.ToString());
        }
        // The earliest record lands at the target: the first span's start, the first point's time, the first log's time.
        var spanDelta = (long)(targetNanos - TestSignals.UnixNano(Base));
        Records.Of(traces.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Should().Equal(Records.Of(Shifted(_spans, spanDelta)));
        var pointDelta = (long)(targetNanos - TestSignals.UnixNano(Base.AddMinutes(3)));
        Records.Of(metrics.Parse<MetricsData>().SelectMany(d => d.ResourceMetrics)).Should().Equal(Records.Of(Shifted(_metrics, pointDelta)));
        var logDelta = (long)(targetNanos - TestSignals.UnixNano(Base.AddSeconds(5)));
        Records.Of(logs.Parse<ResourceLogs>()).Should().Equal(Records.Of(Shifted(_logs, logDelta)));

        TestSignals.AllSpans(traces.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Min(s => s.StartTimeUnixNano).Should().Be(targetNanos);
    }

    [Test]
    public async Task Time_shift_now_replays_the_range_as_if_it_began_now()
    {
        await using var target = await RunningServer.StartAsync();
        var before = DateTimeOffset.UtcNow;

        var result = await OteleportCli.RunAsync(Source("traces", "--otlp-endpoint", target.OtlpGrpcEndpoint.AbsoluteUri, "--otlp-protocol", "grpc", "--time-shift"));
        var after = DateTimeOffset.UtcNow;

        result.ExitCode.Should().Be(0, result.ToString());
        var client = new OteleportClient(new HttpClient(), new OteleportClientOptions { Endpoint = target.ApiEndpoint });
        var replayed = new List<ResourceSpans>();
        await foreach (var page in client.ReadTracesAsync(OteleportTimeRange.Between(before.AddSeconds(-1), after.AddHours(1))))
        {
            replayed.AddRange(page.ResourceSpans);
        }
        var spans = TestSignals.AllSpans(replayed);
        spans.Should().HaveCount(40);
        var earliest = spans.Min(s => s.StartTimeUnixNano);
        earliest.Should().BeInRange(TestSignals.UnixNano(before), TestSignals.UnixNano(after));
        var delta = (long)(earliest - TestSignals.UnixNano(Base));
        Records.Of(replayed).Should().Equal(Records.Of(Shifted(_spans, delta)));
    }

    private async Task AssertTargetHoldsTheSourceRecords(RunningServer target)
    {
        var client = new OteleportClient(new HttpClient(), new OteleportClientOptions { Endpoint = target.ApiEndpoint, AccessKey = TargetKey });
        var range = OteleportTimeRange.Between(Base, Base.AddHours(1));
        var spans = new List<ResourceSpans>();
        await foreach (var page in client.ReadTracesAsync(range))
        {
            spans.AddRange(page.ResourceSpans);
        }
        var metrics = new List<ResourceMetrics>();
        await foreach (var page in client.ReadMetricsAsync(range))
        {
            metrics.AddRange(page.ResourceMetrics);
        }
        var logs = new List<ResourceLogs>();
        await foreach (var page in client.ReadLogsAsync(range))
        {
            logs.AddRange(page.ResourceLogs);
        }
        Records.Of(spans).Should().HaveCount(40).And.Equal(Records.Of(_spans));
        Records.Of(metrics).Should().HaveCount(15).And.Equal(Records.Of(_metrics));
        Records.Of(logs).Should().HaveCount(25).And.Equal(Records.Of(_logs));
    }

    // The expected documents, shifted here independently of the CLI's own code.

    private static TracesData Shifted(TracesData data, long delta)
    {
        var copy = data.Clone();
        foreach (var span in TestSignals.AllSpans(copy.ResourceSpans))
        {
            span.StartTimeUnixNano = Add(span.StartTimeUnixNano, delta);
            span.EndTimeUnixNano = Add(span.EndTimeUnixNano, delta);
            foreach (var e in span.Events)
            {
                e.TimeUnixNano = Add(e.TimeUnixNano, delta);
            }
        }
        return copy;
    }

    private static MetricsData Shifted(MetricsData data, long delta)
    {
        var copy = data.Clone();
        foreach (var metric in copy.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
        {
            foreach (var p in metric.Gauge?.DataPoints ?? [])
            {
                (p.StartTimeUnixNano, p.TimeUnixNano) = (Add(p.StartTimeUnixNano, delta), Add(p.TimeUnixNano, delta));
            }
            foreach (var p in metric.Sum?.DataPoints ?? [])
            {
                (p.StartTimeUnixNano, p.TimeUnixNano) = (Add(p.StartTimeUnixNano, delta), Add(p.TimeUnixNano, delta));
            }
            foreach (var p in metric.Histogram?.DataPoints ?? [])
            {
                (p.StartTimeUnixNano, p.TimeUnixNano) = (Add(p.StartTimeUnixNano, delta), Add(p.TimeUnixNano, delta));
                foreach (var e in p.Exemplars)
                {
                    e.TimeUnixNano = Add(e.TimeUnixNano, delta);
                }
            }
            foreach (var p in metric.ExponentialHistogram?.DataPoints ?? [])
            {
                (p.StartTimeUnixNano, p.TimeUnixNano) = (Add(p.StartTimeUnixNano, delta), Add(p.TimeUnixNano, delta));
            }
            foreach (var p in metric.Summary?.DataPoints ?? [])
            {
                (p.StartTimeUnixNano, p.TimeUnixNano) = (Add(p.StartTimeUnixNano, delta), Add(p.TimeUnixNano, delta));
            }
        }
        return copy;
    }

    private static LogsData Shifted(LogsData data, long delta)
    {
        var copy = data.Clone();
        foreach (var log in copy.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
        {
            log.TimeUnixNano = Add(log.TimeUnixNano, delta);
            log.ObservedTimeUnixNano = Add(log.ObservedTimeUnixNano, delta);
        }
        return copy;
    }

    private static ulong Add(ulong time, long delta) => time == 0 ? 0 : (ulong)((long)time + delta);
}
