using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Storage;
using NUnit.Framework;
using FluentAssertions;

namespace Oteleport.Testing;

/// <summary>
/// Query filters over any store: each filter alone and combined, for traces, metrics and logs, with
/// paging under filters as exact as without.
/// </summary>
public abstract class SignalStoreFilterTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 50, 0, TimeSpan.Zero);
    private ISignalStore _store = null!;

    /// <summary>A fresh, empty store (group commit interval zero is best for speed).</summary>
    protected abstract Task<ISignalStore> CreateStoreAsync();

    [OneTimeSetUp]
    public async Task Ingest()
    {
        _store = await CreateStoreAsync();
        // 3 services x 40 spans over 20 minutes (two hours' partitions), in 6 requests.
        for (var request = 0; request < 6; request++)
        {
            var data = new TracesData();
            for (var service = 0; service < 3; service++)
            {
                var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "lib" } };
                for (var i = 0; i < 7; i++)
                {
                    var n = request * 7 + i;
                    var start = TestSignals.UnixNano(Time + TimeSpan.FromSeconds(n * 30));
                    scope.Spans.Add(new Span
                    {
                        TraceId = TestSignals.TraceId(n % 5),
                        SpanId = TestSignals.SpanId(service * 1000 + n),
                        Name = n % 2 == 0 ? "GET /orders" : "SELECT orders",
                        Kind = n % 2 == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                        StartTimeUnixNano = start,
                        EndTimeUnixNano = start + 5_000_000,
                        Status = new Status { Code = n % 7 == 3 ? Status.Types.StatusCode.Error : Status.Types.StatusCode.Unset },
                        Attributes = { TestSignals.Attr("http.status_code", n % 7 == 3 ? 500 : 200), TestSignals.Attr("n", n) },
                    });
                }
                data.ResourceSpans.Add(new ResourceSpans
                {
                    Resource = new Resource { Attributes = { TestSignals.Attr("service.name", $"svc-{service}"), TestSignals.Attr("env", service == 2 ? "staging" : "prod") } },
                    ScopeSpans = { scope },
                });
            }
            await _store.AppendTracesAsync(data);
        }
        var logs = new ScopeLogs { Scope = new InstrumentationScope { Name = "log" } };
        for (var i = 0; i < 30; i++)
        {
            logs.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromSeconds(i * 40)),
                SeverityNumber = (SeverityNumber)(1 + (i % 24)),
                Body = new AnyValue { StringValue = i % 3 == 0 ? $"payment {i} failed" : $"request {i} ok" },
                TraceId = i % 10 == 0 ? TestSignals.TraceId(1) : ByteString.Empty,
                Attributes = { TestSignals.Attr("user", $"u{i % 4}") },
            });
        }
        await _store.AppendLogsAsync(new LogsData { ResourceLogs = { new ResourceLogs { Resource = TestSignals.Service("svc-0"), ScopeLogs = { logs } } } });
        await _store.AppendMetricsAsync(TestSignals.AllMetricKinds(Time, points: 3));
    }

    private static FetchQuery Range(FetchFilter filter, long limit = 0, string? cursor = null) => new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
        EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(2)),
        Filter = filter,
        Limit = limit,
        Cursor = cursor,
    };

    private async Task<List<(Resource Resource, Span Span)>> SpansAsync(FetchFilter filter, long limit = 10_000)
    {
        var found = new List<(Resource, Span)>();
        string? cursor = null;
        do
        {
            var page = await _store.FetchTracesAsync(Range(filter, limit, cursor));
            foreach (var resource in page.ResourceSpans)
            {
                resource.ScopeSpans.Should().NotBeEmpty("a resource with no matching span is left out");
                foreach (var scope in resource.ScopeSpans)
                {
                    scope.Spans.Should().NotBeEmpty("a scope with no matching span is left out");
                    found.AddRange(scope.Spans.Select(s => (resource.Resource, s)));
                }
            }
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
        return found;
    }

    private static string Service(Resource r) => r.Attributes.Single(a => a.Key == "service.name").Value.StringValue;

    [Test]
    public async Task No_filter_returns_every_span() => (await SpansAsync(FetchFilter.None)).Should().HaveCount(126);

    [Test]
    public async Task Service_name() =>
        (await SpansAsync(new FetchFilter { ServiceName = "svc-1" })).Should().HaveCount(42).And.OnlyContain(x => Service(x.Resource) == "svc-1");

    [Test]
    public async Task Resource_attribute() =>
        (await SpansAsync(new FetchFilter { ResourceAttributes = [TestSignals.Attr("env", "staging")] })).Should().HaveCount(42).And.OnlyContain(x => Service(x.Resource) == "svc-2");

    [Test]
    public async Task Record_attribute_matches_an_integer_by_its_text() =>
        (await SpansAsync(new FetchFilter { Attributes = [TestSignals.Attr("http.status_code", "500")] })).Should().HaveCount(18);

    [Test]
    public async Task Record_attribute_of_the_same_type() =>
        (await SpansAsync(new FetchFilter { Attributes = [TestSignals.Attr("http.status_code", 500)] })).Should().HaveCount(18);

    [Test]
    public async Task Span_name() =>
        (await SpansAsync(new FetchFilter { SpanName = "SELECT orders" })).Should().HaveCount(63).And.OnlyContain(x => x.Span.Name == "SELECT orders");

    [Test]
    public async Task Trace_id() =>
        (await SpansAsync(new FetchFilter { TraceId = TestSignals.TraceId(2) })).Should().HaveCount(3 * 8).And.OnlyContain(x => x.Span.TraceId == TestSignals.TraceId(2));

    [Test]
    public async Task Span_kind() =>
        (await SpansAsync(new FetchFilter { SpanKind = Span.Types.SpanKind.Client })).Should().HaveCount(63);

    [Test]
    public async Task Errors_only() =>
        (await SpansAsync(new FetchFilter { StatusCode = Status.Types.StatusCode.Error })).Should().HaveCount(18).And.OnlyContain(x => x.Span.Status.Code == Status.Types.StatusCode.Error);

    [Test]
    public async Task Filters_combine()
    {
        var spans = await SpansAsync(new FetchFilter { ServiceName = "svc-0", StatusCode = Status.Types.StatusCode.Error, SpanKind = Span.Types.SpanKind.Client });
        // n % 7 == 3 and n odd: n in {3, 17, 31}
        spans.Select(x => x.Span.Attributes.Single(a => a.Key == "n").Value.IntValue).Should().BeEquivalentTo([3L, 17L, 31L]);
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(17)]
    public async Task Paging_under_a_filter_is_exact(int limit)
    {
        var filter = new FetchFilter { SpanName = "GET /orders", ResourceAttributes = [TestSignals.Attr("env", "prod")] };
        var unlimited = (await SpansAsync(filter)).Select(x => x.Span.SpanId).ToList();
        unlimited.Should().HaveCount(42);
        (await SpansAsync(filter, limit)).Select(x => x.Span.SpanId).Should().Equal(unlimited);
    }

    [Test]
    public async Task A_cursor_is_bound_to_its_filters()
    {
        var page = await _store.FetchTracesAsync(Range(new FetchFilter { ServiceName = "svc-0" }, limit: 5));
        var act = () => _store.FetchTracesAsync(Range(new FetchFilter { ServiceName = "svc-1" }, limit: 5, cursor: page.NextCursor));
        await act.Should().ThrowAsync<FetchRequestException>().WithMessage("invalid cursor: it belongs to another query*");
    }

    private async Task<List<LogRecord>> LogsAsync(FetchFilter filter, long limit = 10_000)
    {
        var found = new List<LogRecord>();
        string? cursor = null;
        do
        {
            var page = await _store.FetchLogsAsync(Range(filter, limit, cursor));
            found.AddRange(page.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords));
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
        return found;
    }

    [Test]
    public async Task Logs_at_or_above_a_severity() =>
        (await LogsAsync(new FetchFilter { MinSeverity = SeverityNumber.Warn })).Should().HaveCount(12).And.OnlyContain(l => l.SeverityNumber >= SeverityNumber.Warn);

    [Test]
    public async Task Logs_whose_body_contains() =>
        (await LogsAsync(new FetchFilter { BodyContains = "failed" })).Should().HaveCount(10);

    [Test]
    public async Task Logs_of_a_trace_service_and_attribute()
    {
        (await LogsAsync(new FetchFilter { TraceId = TestSignals.TraceId(1) })).Should().HaveCount(3);
        (await LogsAsync(new FetchFilter { ServiceName = "svc-0", Attributes = [TestSignals.Attr("user", "u1")] })).Should().HaveCount(8);
        (await LogsAsync(new FetchFilter { ServiceName = "svc-9" })).Should().BeEmpty();
        var paged = await LogsAsync(new FetchFilter { BodyContains = "failed", MinSeverity = SeverityNumber.Info }, limit: 2);
        paged.Select(l => l.Body.StringValue).Should().Equal((await LogsAsync(new FetchFilter { BodyContains = "failed", MinSeverity = SeverityNumber.Info })).Select(l => l.Body.StringValue));
    }

    [Test]
    public async Task Metrics_by_name_service_and_point_attribute()
    {
        async Task<List<Metric>> MetricsAsync(FetchFilter filter, long limit = 10_000)
        {
            var found = new List<Metric>();
            string? cursor = null;
            do
            {
                var page = await _store.FetchMetricsAsync(Range(filter, limit, cursor));
                found.AddRange(page.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics));
                cursor = page.HasMore ? page.NextCursor : null;
            }
            while (cursor is not null);
            return found;
        }
        var latency = await MetricsAsync(new FetchFilter { MetricName = "latency" });
        latency.Should().OnlyContain(m => m.Name == "latency");
        latency.Sum(m => m.Histogram.DataPoints.Count).Should().Be(3);
        (await MetricsAsync(new FetchFilter { MetricName = "latency" }, limit: 1)).Sum(m => m.Histogram.DataPoints.Count).Should().Be(3);
        (await MetricsAsync(new FetchFilter { ServiceName = "metrics-service" })).Should().HaveCountGreaterThanOrEqualTo(5);
        var room = await MetricsAsync(new FetchFilter { Attributes = [TestSignals.Attr("room", "r1")] });
        room.Should().ContainSingle().Which.Gauge.DataPoints.Should().ContainSingle();
    }

    [Test]
    public async Task Trace_lookup_returns_exactly_the_spans_of_the_trace_across_partitions()
    {
        var trace = await _store.GetTraceAsync(TestSignals.TraceId(4), TestSignals.UnixNano(Time - TimeSpan.FromHours(1)), TestSignals.UnixNano(Time + TimeSpan.FromHours(2)));
        var spans = TestSignals.AllSpans(trace.ResourceSpans);
        spans.Should().HaveCount(3 * 8).And.OnlyContain(s => s.TraceId == TestSignals.TraceId(4));
        spans.Select(s => s.StartTimeUnixNano).Should().Contain(t => t >= TestSignals.UnixNano(new DateTimeOffset(2024, 10, 23, 10, 0, 0, TimeSpan.Zero)), "the trace crosses into the next hour's partition");
    }
}
