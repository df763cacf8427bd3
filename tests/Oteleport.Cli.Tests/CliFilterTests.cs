using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cli.Tests.Support;
using Oteleport.Client;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Cli.Tests;

/// <summary>
/// The filter options and <c>oteleport trace</c> against the real server: each filter narrows its signal to
/// exactly the records it names (the expectation is computed here from the sent data), alone, combined,
/// paged, followed and replayed.
/// </summary>
[TestFixture]
public sealed class CliFilterTests
{
    private const string Key = "filter-key";
    private static readonly DateTimeOffset Base = new(2024, 8, 1, 10, 0, 0, TimeSpan.Zero);
    private static readonly string[] TraceHex =
    [
        "5B8EFFF798038103D269B633813FC60C",
        "0AF7651916CD43DD8448EB211C80319C",
        "4BF92F3577B34DA6A3CE929D0E0E4736",
        "00000000000000000000000000ABCDEF",
    ];
    private static readonly string[] SpanNames = ["GET /cart", "POST /pay", "SELECT orders"];
    private static readonly Span.Types.SpanKind[] Kinds =
    [
        Span.Types.SpanKind.Server, Span.Types.SpanKind.Client, Span.Types.SpanKind.Internal, Span.Types.SpanKind.Producer, Span.Types.SpanKind.Consumer,
    ];

    private RunningServer _server = null!;
    private TracesData _spans = null!;
    private MetricsData _metrics = null!;
    private LogsData _logs = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RunningServer.StartAsync(Key);
        _spans = Spans();
        _metrics = Metrics();
        _logs = Logs();
        await _server.SendAsync(_spans);
        await _server.SendAsync(_metrics);
        await _server.SendAsync(_logs);
    }

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private static Resource ServiceResource(string service) => new()
    {
        Attributes = { TestSignals.Attr("service.name", service), TestSignals.Attr("env", service == "checkout" ? "prod" : "staging") },
    };

    /// <summary>
    /// 60 spans, 30 s apart (10:00 .. 10:29:30): even ones of checkout (env=prod), odd ones of payments (env=staging);
    /// name by i % 3, kind by i % 5, ERROR with http.status_code 500 when i % 3 == 1 (else 200), trace by i % 4.
    /// </summary>
    private static TracesData Spans()
    {
        var checkout = new ScopeSpans { Scope = new InstrumentationScope { Name = "http" } };
        var payments = new ScopeSpans { Scope = new InstrumentationScope { Name = "http" } };
        for (var i = 0; i < 60; i++)
        {
            var error = i % 3 == 1;
            var start = TestSignals.UnixNano(Base.AddSeconds(30 * i));
            (i % 2 == 0 ? checkout : payments).Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Convert.FromHexString(TraceHex[i % 4])),
                SpanId = TestSignals.SpanId(i + 1),
                Name = SpanNames[i % 3],
                Kind = Kinds[i % 5],
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + 2_000_000,
                Status = new Status { Code = error ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Ok },
                Attributes = { TestSignals.Attr("http.status_code", error ? 500 : 200), TestSignals.Attr("i", i) },
            });
        }
        return new TracesData
        {
            ResourceSpans =
            {
                new ResourceSpans { Resource = ServiceResource("checkout"), ScopeSpans = { checkout } },
                new ResourceSpans { Resource = ServiceResource("payments"), ScopeSpans = { payments } },
            },
        };
    }

    /// <summary>Per service: "requests" (a sum, three points by route) and "temperature" (a gauge, two points by room).</summary>
    private static MetricsData Metrics()
    {
        var data = new MetricsData();
        foreach (var service in new[] { "checkout", "payments" })
        {
            var requests = new Metric { Name = "requests", Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true } };
            var temperature = new Metric { Name = "temperature", Gauge = new Gauge() };
            string[] routes = ["/cart", "/pay", "/cart"];
            for (var p = 0; p < 3; p++)
            {
                var at = TestSignals.UnixNano(Base.AddMinutes(1 + p));
                requests.Sum.DataPoints.Add(new NumberDataPoint { StartTimeUnixNano = TestSignals.UnixNano(Base), TimeUnixNano = at, AsInt = 10 * p, Attributes = { TestSignals.Attr("route", routes[p]) } });
                if (p < 2)
                {
                    temperature.Gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = at, AsDouble = 20 + p, Attributes = { TestSignals.Attr("room", $"r{p}") } });
                }
            }
            data.ResourceMetrics.Add(new ResourceMetrics
            {
                Resource = ServiceResource(service),
                ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "meter" }, Metrics = { requests, temperature } } },
            });
        }
        return data;
    }

    /// <summary>
    /// 40 log records, 20 s apart: even ones of checkout, odd ones of payments; severity 1 + i % 24; a body
    /// with "timeout" when i % 5 == 0; the second trace when i % 4 == 0; user u{i % 3}.
    /// </summary>
    private static LogsData Logs()
    {
        var checkout = new ScopeLogs { Scope = new InstrumentationScope { Name = "log" } };
        var payments = new ScopeLogs { Scope = new InstrumentationScope { Name = "log" } };
        for (var i = 0; i < 40; i++)
        {
            (i % 2 == 0 ? checkout : payments).LogRecords.Add(new LogRecord
            {
                TimeUnixNano = TestSignals.UnixNano(Base.AddSeconds(20 * i)),
                SeverityNumber = (SeverityNumber)(1 + (i % 24)),
                Body = new AnyValue { StringValue = i % 5 == 0 ? $"timeout calling payments ({i})" : $"request {i} done" },
                TraceId = i % 4 == 0 ? ByteString.CopyFrom(Convert.FromHexString(TraceHex[1])) : ByteString.Empty,
                Attributes = { TestSignals.Attr("user", $"u{i % 3}"), TestSignals.Attr("i", i) },
            });
        }
        return new LogsData
        {
            ResourceLogs =
            {
                new ResourceLogs { Resource = ServiceResource("checkout"), ScopeLogs = { checkout } },
                new ResourceLogs { Resource = ServiceResource("payments"), ScopeLogs = { payments } },
            },
        };
    }

    private string[] Args(string signal, params string[] more) =>
    [
        signal, "--endpoint", _server.ApiUrl, "--access-key", Key,
        "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1)), .. more,
    ];

    // The expected records: the sent records (one per resource group, as Records gives them) that pass the predicate.

    private static List<string> Expected(TracesData data, Func<Resource, Span, bool> keep) =>
        Records.Of(data).Where(r => ResourceSpans.Parser.ParseFrom(Convert.FromBase64String(r)) is var one && keep(one.Resource, one.ScopeSpans[0].Spans[0])).ToList();

    private static List<string> Expected(LogsData data, Func<Resource, LogRecord, bool> keep) =>
        Records.Of(data).Where(r => ResourceLogs.Parser.ParseFrom(Convert.FromBase64String(r)) is var one && keep(one.Resource, one.ScopeLogs[0].LogRecords[0])).ToList();

    private static List<string> Expected(MetricsData data, Func<Resource, Metric, NumberDataPoint, bool> keep) =>
        Records.Of(data).Where(r => ResourceMetrics.Parser.ParseFrom(Convert.FromBase64String(r)) is var one
            && one.ScopeMetrics[0].Metrics[0] is var m
            && keep(one.Resource, m, m.DataCase == Metric.DataOneofCase.Sum ? m.Sum.DataPoints[0] : m.Gauge.DataPoints[0])).ToList();

    private static string Service(Resource resource) => resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue;

    private static string? Text(IEnumerable<KeyValue> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key)?.Value is { } v ? (v.ValueCase == AnyValue.ValueOneofCase.IntValue ? v.IntValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : v.StringValue) : null;

    private static long I(IEnumerable<KeyValue> attributes) => attributes.Single(a => a.Key == "i").Value.IntValue;

    [TestCase("--service", "checkout")]
    [TestCase("--resource-attr", "env=staging")]
    [TestCase("--attr", "http.status_code=500")]
    [TestCase("--span-name", "SELECT orders")]
    [TestCase("--trace-id", "4BF92F3577B34DA6A3CE929D0E0E4736")]
    [TestCase("--trace-id", "4bf92f3577b34da6a3ce929d0e0e4736")]
    [TestCase("--kind", "client")]
    [TestCase("--kind", "CONSUMER")]
    [TestCase("--errors")]
    public async Task Each_trace_filter_narrows_the_spans_to_those_it_names(params string[] filter)
    {
        Func<Resource, Span, bool> keep = filter[0] switch
        {
            "--service" => (r, _) => Service(r) == "checkout",
            "--resource-attr" => (r, _) => Service(r) == "payments",
            "--attr" => (_, s) => s.Attributes.Any(a => a.Key == "http.status_code" && a.Value.IntValue == 500),
            "--span-name" => (_, s) => s.Name == "SELECT orders",
            "--trace-id" => (_, s) => Convert.ToHexString(s.TraceId.Span) == TraceHex[2],
            "--kind" => (_, s) => s.Kind.ToString().Equals(filter[1], StringComparison.OrdinalIgnoreCase),
            _ => (_, s) => s.Status.Code == Status.Types.StatusCode.Error,
        };
        var expected = Expected(_spans, keep);
        expected.Should().NotBeEmpty().And.HaveCountLessThan(60, "the filter must select something, not everything");

        var result = await OteleportCli.RunAsync(Args("traces", ["--limit", "4", .. filter]));

        result.ExitCode.Should().Be(0, result.ToString());
        Records.Of(result.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Should().Equal(expected);
    }

    [TestCase("--service", "payments")]
    [TestCase("--resource-attr", "env=prod")]
    [TestCase("--attr", "user=u1")]
    [TestCase("--trace-id", "0AF7651916CD43DD8448EB211C80319C")]
    [TestCase("--min-severity", "warn")]
    [TestCase("--min-severity", "17")]
    [TestCase("--min-severity", "Fatal")]
    [TestCase("--body-contains", "timeout")]
    public async Task Each_log_filter_narrows_the_log_records_to_those_it_names(params string[] filter)
    {
        Func<Resource, LogRecord, bool> keep = (filter[0], filter[1]) switch
        {
            ("--service", _) => (r, _) => Service(r) == "payments",
            ("--resource-attr", _) => (r, _) => Service(r) == "checkout",
            ("--attr", _) => (_, l) => Text(l.Attributes, "user") == "u1",
            ("--trace-id", _) => (_, l) => !l.TraceId.IsEmpty && Convert.ToHexString(l.TraceId.Span) == TraceHex[1],
            ("--min-severity", "warn") => (_, l) => l.SeverityNumber >= SeverityNumber.Warn,
            ("--min-severity", "17") => (_, l) => l.SeverityNumber >= SeverityNumber.Error,
            ("--min-severity", _) => (_, l) => l.SeverityNumber >= SeverityNumber.Fatal,
            _ => (_, l) => l.Body.StringValue.Contains("timeout", StringComparison.Ordinal),
        };
        var expected = Expected(_logs, keep);
        expected.Should().NotBeEmpty().And.HaveCountLessThan(40);

        var result = await OteleportCli.RunAsync(Args("logs", ["--limit", "3", "-o", "jsonl", .. filter]));

        result.ExitCode.Should().Be(0, result.ToString());
        Records.Of(result.Parse<ResourceLogs>()).Should().Equal(expected);
    }

    [TestCase("--service", "payments")]
    [TestCase("--resource-attr", "env=prod")]
    [TestCase("--attr", "route=/pay")]
    [TestCase("--metric", "temperature")]
    public async Task Each_metric_filter_narrows_the_data_points_to_those_it_names(string option, string value)
    {
        Func<Resource, Metric, NumberDataPoint, bool> keep = option switch
        {
            "--service" => (r, _, _) => Service(r) == "payments",
            "--resource-attr" => (r, _, _) => Service(r) == "checkout",
            "--attr" => (_, _, p) => Text(p.Attributes, "route") == "/pay",
            _ => (_, m, _) => m.Name == "temperature",
        };
        var expected = Expected(_metrics, keep);
        expected.Should().NotBeEmpty().And.HaveCountLessThan(10);

        var result = await OteleportCli.RunAsync(Args("metrics", "--limit", "2", option, value));

        result.ExitCode.Should().Be(0, result.ToString());
        Records.Of(result.Parse<MetricsData>().SelectMany(d => d.ResourceMetrics)).Should().Equal(expected);
    }

    [Test]
    public async Task Filters_combine_all_must_hold()
    {
        var traces = await OteleportCli.RunAsync(Args("traces",
            "--service", "checkout", "--errors", "--kind", "server", "--attr", "http.status_code=500", "--resource-attr", "env=prod", "--span-name", "POST /pay"));
        var oneTrace = await OteleportCli.RunAsync(Args("traces", "--service", "checkout", "--errors", "--kind", "server", "--trace-id", TraceHex[0]));
        var logs = await OteleportCli.RunAsync(Args("logs", "--service", "checkout", "--min-severity", "warn", "--body-contains", "timeout", "--attr", "user=u2"));
        var metrics = await OteleportCli.RunAsync(Args("metrics", "--service", "payments", "--metric", "requests", "--attr", "route=/cart"));

        // checkout: i even; ERROR: i % 3 == 1; server: i % 5 == 0; so i is 10 or 40 (trace i % 4: 2 and 0).
        TestSignals.AllSpans(traces.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Select(s => I(s.Attributes)).Should().BeEquivalentTo([10L, 40L]);
        TestSignals.AllSpans(oneTrace.Parse<TracesData>().SelectMany(d => d.ResourceSpans)).Select(s => I(s.Attributes)).Should().Equal(40L);
        // checkout: i even; severity >= WARN: i % 24 >= 12; "timeout": i % 5 == 0; so i = 20 (user u2).
        logs.Parse<LogsData>().SelectMany(d => d.ResourceLogs).SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords)
            .Select(l => I(l.Attributes)).Should().Equal(20L);
        Records.Of(metrics.Parse<MetricsData>().SelectMany(d => d.ResourceMetrics)).Should().HaveCount(2)
            .And.Equal(Expected(_metrics, (r, m, p) => Service(r) == "payments" && m.Name == "requests" && Text(p.Attributes, "route") == "/cart"));
    }

    [Test]
    public async Task A_filter_that_matches_nothing_prints_nothing_and_succeeds()
    {
        var result = await OteleportCli.RunAsync(Args("traces", "--service", "no-such-service"));

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().BeEmpty();
    }

    [Test]
    public async Task A_filtered_replay_sends_exactly_the_filtered_records()
    {
        await using var target = await RunningServer.StartAsync();

        var traces = await OteleportCli.RunAsync(Args("traces", "--service", "checkout", "--errors", "--limit", "2", "--otlp-endpoint", target.OtlpHttpEndpoint.AbsoluteUri));
        var logs = await OteleportCli.RunAsync(Args("logs", "--min-severity", "error", "--otlp-endpoint", target.OtlpGrpcEndpoint.AbsoluteUri, "--otlp-protocol", "grpc"));

        traces.ExitCode.Should().Be(0, traces.ToString());
        logs.ExitCode.Should().Be(0, logs.ToString());
        var client = new OteleportClient(new HttpClient(), new OteleportClientOptions { Endpoint = target.ApiEndpoint });
        var range = OteleportTimeRange.Between(Base, Base.AddHours(1));
        var replayedSpans = new List<ResourceSpans>();
        await foreach (var page in client.ReadTracesAsync(range))
        {
            replayedSpans.AddRange(page.ResourceSpans);
        }
        var replayedLogs = new List<ResourceLogs>();
        await foreach (var page in client.ReadLogsAsync(range))
        {
            replayedLogs.AddRange(page.ResourceLogs);
        }
        Records.Of(replayedSpans).Should().HaveCount(10)
            .And.Equal(Expected(_spans, (r, s) => Service(r) == "checkout" && s.Status.Code == Status.Types.StatusCode.Error));
        Records.Of(replayedLogs).Should().NotBeEmpty()
            .And.Equal(Expected(_logs, (_, l) => l.SeverityNumber >= SeverityNumber.Error));
    }

    [Test]
    public async Task A_time_shift_under_a_filter_moves_the_earliest_matching_record_to_the_target()
    {
        var target = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var result = await OteleportCli.RunAsync(Args("traces", "--span-name", "SELECT orders", "--time-shift", Ingest.Rfc3339(target)));

        result.ExitCode.Should().Be(0, result.ToString());
        var spans = TestSignals.AllSpans(result.Parse<TracesData>().SelectMany(d => d.ResourceSpans));
        spans.Should().HaveCount(20).And.OnlyContain(s => s.Name == "SELECT orders");
        // The first "SELECT orders" is span 2, a minute after the first span of all.
        spans.Min(s => s.StartTimeUnixNano).Should().Be(TestSignals.UnixNano(target));
        spans.Single(s => I(s.Attributes) == 5).StartTimeUnixNano.Should().Be(TestSignals.UnixNano(target.AddSeconds(90)));
    }

    [Test]
    public async Task Trace_prints_every_span_of_one_trace_as_one_document()
    {
        var upper = await OteleportCli.RunAsync("trace", TraceHex[2], "--endpoint", _server.ApiUrl, "--access-key", Key,
            "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1)));
        var lower = await OteleportCli.RunAsync("trace", TraceHex[2].ToLowerInvariant(), "--endpoint", _server.ApiUrl, "--access-key", Key,
            "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddMinutes(30)), "-o", "jsonl");

        upper.ExitCode.Should().Be(0, upper.ToString());
        upper.Error.Should().BeEmpty();
        var expected = Expected(_spans, (_, s) => Convert.ToHexString(s.TraceId.Span) == TraceHex[2]);
        expected.Should().HaveCount(15);
        upper.OutLines.Should().ContainSingle().Which.Should().StartWith("{\"resourceSpans\":[");
        Records.Of(upper.Parse<TracesData>().Single()).Should().Equal(expected);
        lower.ExitCode.Should().Be(0, lower.ToString());
        Records.Of(lower.Parse<ResourceSpans>()).Should().Equal(expected);
    }

    [Test]
    public async Task Trace_looks_back_over_the_servers_window_by_default_and_fails_when_it_finds_nothing()
    {
        const string recentHex = "1234567890ABCDEF1234567890ABCDEF";
        var recent = new TracesData
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = ServiceResource("checkout"),
                    ScopeSpans =
                    {
                        new ScopeSpans
                        {
                            Spans =
                            {
                                Enumerable.Range(0, 3).Select(i => new Span
                                {
                                    TraceId = ByteString.CopyFrom(Convert.FromHexString(recentHex)),
                                    SpanId = TestSignals.SpanId(500 + i),
                                    Name = $"recent-{i}",
                                    StartTimeUnixNano = TestSignals.UnixNano(DateTimeOffset.UtcNow.AddHours(-3).AddSeconds(i)),
                                    EndTimeUnixNano = TestSignals.UnixNano(DateTimeOffset.UtcNow.AddHours(-3).AddSeconds(i + 1)),
                                }),
                            },
                        },
                    },
                },
            },
        };
        await _server.SendAsync(recent);

        var found = await OteleportCli.RunAsync("trace", recentHex, "--endpoint", _server.ApiUrl, "--access-key", Key);
        var tooOld = await OteleportCli.RunAsync("trace", TraceHex[2], "--endpoint", _server.ApiUrl, "--access-key", Key);
        var outOfRange = await OteleportCli.RunAsync("trace", recentHex, "--endpoint", _server.ApiUrl, "--access-key", Key, "--since", "1h");

        found.ExitCode.Should().Be(0, found.ToString());
        Records.Of(found.Parse<TracesData>().Single()).Should().Equal(Records.Of(recent));
        tooOld.ExitCode.Should().Be(1, tooOld.ToString());
        tooOld.Out.Should().BeEmpty();
        tooOld.ErrorLines.Should().Equal($"oteleport: trace {TraceHex[2]} not found in the server's lookup window (24 hours by default): look further back with --since or --start-time");
        outOfRange.ExitCode.Should().Be(1);
        outOfRange.ErrorLines.Should().ContainSingle().Which.Should().StartWith($"oteleport: trace {recentHex} not found between ").And.EndWith(" and now");
    }

    [Test]
    public async Task Trace_replays_one_trace_into_another_server()
    {
        await using var target = await RunningServer.StartAsync();

        var result = await OteleportCli.RunAsync("trace", TraceHex[0], "--endpoint", _server.ApiUrl, "--access-key", Key,
            "--start-time", Ingest.Rfc3339(Base), "--end-time", Ingest.Rfc3339(Base.AddHours(1)), "--otlp-endpoint", target.OtlpHttpEndpoint.AbsoluteUri);

        result.ExitCode.Should().Be(0, result.ToString());
        result.Out.Should().BeEmpty("a replay prints nothing unless --output is given");
        var replayed = await new OteleportClient(new HttpClient(), new OteleportClientOptions { Endpoint = target.ApiEndpoint })
            .GetTraceAsync(TraceHex[0], OteleportTimeRange.Between(Base, Base.AddHours(1)));
        Records.Of(replayed).Should().HaveCount(15).And.Equal(Expected(_spans, (_, s) => Convert.ToHexString(s.TraceId.Span) == TraceHex[0]));
    }

    [Test]
    public async Task Follow_with_a_filter_prints_only_the_matching_new_records()
    {
        await using var server = await RunningServer.StartAsync(Key);
        var sent = new List<ResourceSpans>();
        async Task Send(TracesData data)
        {
            sent.AddRange(data.ResourceSpans);
            await server.SendAsync(data);
        }
        await Send(TestSignals.Spans(6, DateTimeOffset.UtcNow.AddSeconds(-20), TimeSpan.FromSeconds(1)));

        using var stop = new CancellationTokenSource();
        var output = new ConcurrentWriter();
        var error = new ConcurrentWriter();
        var run = OteleportCli.RunAsync(
            ["traces", "--endpoint", server.ApiUrl, "--access-key", Key, "--since", "1m", "--follow", "--follow-lag", "1s", "--poll-interval", "100ms",
                "--limit", "2", "--service", "service-1", "-o", "jsonl"],
            output, error, null, stop.Token);
        for (var round = 1; round <= 4; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await Send(TestSignals.Spans(4, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(10), offset: round * 100));
        }

        var expected = Records.Of(sent).Where(r => Service(ResourceSpans.Parser.ParseFrom(Convert.FromBase64String(r)).Resource) == "service-1").ToList();
        expected.Should().HaveCount(3 + 4 * 2);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Records.Of(Parse(output)).Count < expected.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        await Task.Delay(TimeSpan.FromSeconds(1)); // more polls, which must add nothing
        await stop.CancelAsync();

        (await run).Should().Be(0, error.Snapshot());
        Records.Of(Parse(output)).Should().Equal(expected, "each matching span once, no other");

        static List<ResourceSpans> Parse(ConcurrentWriter output) => new CliResult(0, output.Snapshot(), "").Parse<ResourceSpans>();
    }

    [TestCase("logs", "--span-name", "x", "--span-name applies to traces only")]
    [TestCase("metrics", "--kind", "server", "--kind applies to traces only")]
    [TestCase("logs", "--errors", null, "--errors applies to traces only")]
    [TestCase("traces", "--min-severity", "warn", "--min-severity applies to logs only")]
    [TestCase("metrics", "--body-contains", "x", "--body-contains applies to logs only")]
    [TestCase("traces", "--metric", "requests", "--metric applies to metrics only")]
    [TestCase("logs", "--metric", "requests", "--metric applies to metrics only")]
    [TestCase("metrics", "--trace-id", "5B8EFFF798038103D269B633813FC60C", "--trace-id applies to traces and logs only")]
    public async Task A_filter_for_another_signal_is_a_usage_error(string signal, string option, string? value, string message)
    {
        string[] args = value is null ? [signal, option] : [signal, option, value];

        var result = await OteleportCli.RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Out.Should().BeEmpty();
        result.ErrorLines.Should().Equal($"oteleport: {message} (see oteleport --help)");
    }

    [TestCase("traces", "--trace-id", "5B8EFFF798038103D269B633813FC60", "--trace-id: '5B8EFFF798038103D269B633813FC60' is not a trace id: use 32 hex digits")]
    [TestCase("logs", "--trace-id", "5B8EFFF798038103D269B633813FC60G", "--trace-id: '5B8EFFF798038103D269B633813FC60G' is not a trace id: use 32 hex digits")]
    [TestCase("traces", "--kind", "sideways", "--kind: 'sideways' is not a span kind: server, client, internal, producer or consumer")]
    [TestCase("logs", "--min-severity", "loud", "--min-severity: 'loud' is not a severity: trace, debug, info, warn, error, fatal or a number 1-24")]
    [TestCase("logs", "--min-severity", "25", "--min-severity: '25' is not a severity: trace, debug, info, warn, error, fatal or a number 1-24")]
    [TestCase("logs", "--min-severity", "0", "--min-severity: '0' is not a severity: trace, debug, info, warn, error, fatal or a number 1-24")]
    [TestCase("traces", "--attr", "novalue", "--attr: 'novalue' is not key=value")]
    [TestCase("metrics", "--attr", "=v", "--attr: '=v' is not key=value")]
    [TestCase("logs", "--resource-attr", "env", "--resource-attr: 'env' is not key=value")]
    [TestCase("traces", "--service", "", "--service needs a value")]
    [TestCase("logs", "--body-contains", "", "--body-contains needs a value")]
    public async Task A_bad_filter_value_is_a_usage_error_naming_it(string signal, string option, string value, string message)
    {
        var result = await OteleportCli.RunAsync(signal, option, value);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Out.Should().BeEmpty();
        result.ErrorLines.Should().Equal($"oteleport: {message} (see oteleport --help)");
    }

    [TestCase("trace")]
    [TestCase("trace", "5B8EFFF798038103D269B633813FC60C", "--follow")]
    [TestCase("trace", "5B8EFFF798038103D269B633813FC60C", "--service", "checkout")]
    [TestCase("trace", "5B8EFFF798038103D269B633813FC60C", "--limit", "5")]
    [TestCase("trace", "5B8EFFF798038103D269B633813FC60C", "0AF7651916CD43DD8448EB211C80319C")]
    public async Task Bad_trace_arguments_are_usage_errors(params string[] args)
    {
        var result = await OteleportCli.RunAsync(args);

        result.ExitCode.Should().Be(2, result.ToString());
        result.ErrorLines.Should().ContainSingle().Which.Should().StartWith("oteleport: ");
    }

    [Test]
    public async Task A_trace_argument_that_is_not_a_trace_id_is_a_usage_error()
    {
        var result = await OteleportCli.RunAsync("trace", "xyz");

        result.ExitCode.Should().Be(2);
        result.ErrorLines.Should().Equal("oteleport: 'xyz' is not a trace id: use 32 hex digits (see oteleport --help)");
    }

    [Test]
    public async Task Help_lists_the_filters_of_the_signal()
    {
        var traces = await OteleportCli.RunAsync("traces", "--help");
        var logs = await OteleportCli.RunAsync("logs", "--help");
        var trace = await OteleportCli.RunAsync("trace", "--help");

        traces.Out.Should().Contain("--span-name").And.Contain("--errors").And.Contain("--trace-id").And.NotContain("--min-severity").And.NotContain("--metric ");
        logs.Out.Should().Contain("--min-severity").And.Contain("--body-contains").And.NotContain("--span-name");
        trace.ExitCode.Should().Be(0);
        trace.Out.Should().Contain("trace-id").And.Contain("--otlp-endpoint").And.NotContain("--follow").And.NotContain("--service");
    }
}
