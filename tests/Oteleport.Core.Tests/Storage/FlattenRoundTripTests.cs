using Google.Protobuf;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Signals;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>With <c>storage.flatten</c> on, what is sent is what is fetched, page by page too.</summary>
public class FlattenRoundTripTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private static FetchQuery Around(DateTimeOffset time) => new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(time - TimeSpan.FromHours(3)),
        EndTimeUnixNano = TestSignals.UnixNano(time + TimeSpan.FromHours(3)),
    };

    private static SignalStoreFixture Flattening(bool gzip = true) => new(o =>
    {
        o.Storage.Flatten = true;
        o.Storage.Gzip = gzip;
    });

    /// <summary>
    /// Each record as a one-record document (its resource, scope, metric and itself) in OTLP JSON, sorted:
    /// equal for two fetches that hold the same records, however they are grouped.
    /// </summary>
    internal static List<string> RecordSet<TData>(ISignalShape<TData> shape, IEnumerable<TData> documents)
        where TData : IMessage<TData>, new()
    {
        var records = new List<SignalRecord>();
        foreach (var document in documents)
        {
            shape.Collect(document, records);
        }
        return records
            .Select(r => System.Text.Encoding.UTF8.GetString(OtlpJson.Serialize(shape.Build([r]))))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task One_request_of_spans_comes_back_as_sent(bool gzip)
    {
        using var fixture = Flattening(gzip);
        var traces = TestSignals.Spans(12, Time, TimeSpan.FromSeconds(1), services: 3);
        await fixture.Store.AppendTracesAsync(traces);

        var files = Directory.GetFiles(Path.Combine(fixture.Folder.Path, "traces"), "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray(); // summaries are hidden files
        files.Should().ContainSingle().Which.Should().EndWith(gzip ? ".json.gz" : ".json");

        // Lines in document order, equal containers regrouped: the very document that was sent.
        var page = await fixture.Store.FetchTracesAsync(Around(Time));
        page.ResourceSpans.Should().Equal(traces.ResourceSpans);
    }

    [Test]
    public async Task Spans_of_several_services_and_requests_come_back_up_to_grouping()
    {
        using var fixture = Flattening();
        var sent = new List<TracesData>();
        for (var batch = 0; batch < 4; batch++)
        {
            var data = TestSignals.Spans(15, Time + TimeSpan.FromMinutes(10 * batch), TimeSpan.FromMinutes(1), services: 3, offset: batch * 15);
            sent.Add(data);
            await fixture.Store.AppendTracesAsync(data);
        }
        var page = await fixture.Store.FetchTracesAsync(Around(Time));
        TestSignals.AllSpans(page.ResourceSpans).Should().HaveCount(60);
        RecordSet(TraceShape.Instance, [new TracesData { ResourceSpans = { page.ResourceSpans } }])
            .Should().Equal(RecordSet(TraceShape.Instance, sent));
    }

    [Test]
    public async Task Metrics_of_all_five_kinds_come_back_as_sent()
    {
        using var fixture = Flattening();
        var metrics = TestSignals.AllMetricKinds(Time, points: 3);
        await fixture.Store.AppendMetricsAsync(metrics);
        var page = await fixture.Store.FetchMetricsAsync(Around(Time));
        page.ResourceMetrics.Should().Equal(metrics.ResourceMetrics);
        page.ResourceMetrics.Single().ScopeMetrics.Single().Metrics.Select(m => m.DataCase).Should().Equal(
            Metric.DataOneofCase.Gauge, Metric.DataOneofCase.Sum, Metric.DataOneofCase.Histogram,
            Metric.DataOneofCase.ExponentialHistogram, Metric.DataOneofCase.Summary);
    }

    [Test]
    public async Task Metrics_of_several_requests_come_back_up_to_grouping()
    {
        using var fixture = Flattening();
        var sent = new List<MetricsData>();
        for (var batch = 0; batch < 3; batch++)
        {
            var data = TestSignals.AllMetricKinds(Time + TimeSpan.FromMinutes(batch), points: 2);
            sent.Add(data);
            await fixture.Store.AppendMetricsAsync(data);
        }
        var page = await fixture.Store.FetchMetricsAsync(Around(Time));
        RecordSet(MetricShape.Instance, [new MetricsData { ResourceMetrics = { page.ResourceMetrics } }])
            .Should().Equal(RecordSet(MetricShape.Instance, sent));
    }

    [Test]
    public async Task Logs_come_back_as_sent()
    {
        using var fixture = Flattening();
        var logs = TestSignals.Logs(7, Time, TimeSpan.FromSeconds(5));
        var extra = logs.ResourceLogs[0].ScopeLogs[0].LogRecords[2];
        extra.TraceId = TestSignals.TraceId(3);
        extra.SpanId = TestSignals.SpanId(4);
        extra.Flags = 1;
        extra.Attributes.Add(TestSignals.Attr("user", "u-1"));
        extra.ObservedTimeUnixNano = extra.TimeUnixNano + 5;
        await fixture.Store.AppendLogsAsync(logs);
        var page = await fixture.Store.FetchLogsAsync(Around(Time));
        page.ResourceLogs.Should().Equal(logs.ResourceLogs);
    }

    [Test]
    public async Task Records_split_over_hours_come_back_from_each_hour()
    {
        using var fixture = Flattening();
        var traces = TestSignals.Spans(6, Time, TimeSpan.FromMinutes(25));
        await fixture.Store.AppendTracesAsync(traces);
        Directory.GetDirectories(Path.Combine(fixture.Folder.Path, "traces", "2024", "10", "23")).Should().HaveCount(3);
        var page = await fixture.Store.FetchTracesAsync(Around(Time));
        RecordSet(TraceShape.Instance, [new TracesData { ResourceSpans = { page.ResourceSpans } }])
            .Should().Equal(RecordSet(TraceShape.Instance, [traces]));
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(16)]
    public async Task Paging_over_flattened_objects_walks_exactly_the_unlimited_result(int limit)
    {
        using var fixture = Flattening();
        for (var batch = 0; batch < 5; batch++)
        {
            // 40 spans, 2 minutes apart from batch to batch: several objects in two hours.
            await fixture.Store.AppendTracesAsync(TestSignals.Spans(8, Time + TimeSpan.FromMinutes(20 * batch), TimeSpan.FromSeconds(30), services: 3, offset: batch * 8));
            await fixture.Store.AppendLogsAsync(TestSignals.Logs(6, Time + TimeSpan.FromMinutes(20 * batch), TimeSpan.FromSeconds(30)));
            await fixture.Store.AppendMetricsAsync(TestSignals.AllMetricKinds(Time + TimeSpan.FromMinutes(20 * batch), points: 2));
        }

        var unlimitedSpans = TestSignals.AllSpans((await fixture.Store.FetchTracesAsync(Around(Time))).ResourceSpans).Select(s => s.Name).ToList();
        unlimitedSpans.Should().HaveCount(40).And.OnlyHaveUniqueItems();
        (await WalkAsync(cursor => fixture.Store.FetchTracesAsync(Around(Time) with { Limit = limit, Cursor = cursor }),
            p => (TestSignals.AllSpans(p.ResourceSpans).Select(s => s.Name).ToList(), p.HasMore, p.NextCursor), limit))
            .Should().Equal(unlimitedSpans);

        static List<string> LogKeys(FetchLogsDataResponse p) =>
            p.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Select(l => $"{l.TimeUnixNano}/{l.Body.StringValue}").ToList();
        var unlimitedLogs = LogKeys(await fixture.Store.FetchLogsAsync(Around(Time)));
        unlimitedLogs.Should().HaveCount(30);
        (await WalkAsync(cursor => fixture.Store.FetchLogsAsync(Around(Time) with { Limit = limit, Cursor = cursor }),
            p => (LogKeys(p), p.HasMore, p.NextCursor), limit))
            .Should().Equal(unlimitedLogs);

        static List<string> PointKeys(FetchMetricsDataResponse p) =>
            AllPoints(p.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics));
        var unlimitedPoints = PointKeys(await fixture.Store.FetchMetricsAsync(Around(Time)));
        unlimitedPoints.Should().HaveCount(50);
        (await WalkAsync(cursor => fixture.Store.FetchMetricsAsync(Around(Time) with { Limit = limit, Cursor = cursor }),
            p => (PointKeys(p), p.HasMore, p.NextCursor), limit))
            .Should().Equal(unlimitedPoints);
    }

    private static async Task<List<string>> WalkAsync<TPage>(Func<string?, Task<TPage>> fetch, Func<TPage, (List<string> Keys, bool HasMore, string Next)> read, int limit)
    {
        var all = new List<string>();
        string? cursor = null;
        do
        {
            var (keys, hasMore, next) = read(await fetch(cursor));
            keys.Count.Should().BeLessThanOrEqualTo(limit);
            if (hasMore)
            {
                keys.Should().HaveCount(limit, "only the last page may be short");
            }
            all.AddRange(keys);
            cursor = hasMore ? next : null;
        }
        while (cursor is not null);
        return all;
    }

    /// <summary>Every data point with its metric's name, in order.</summary>
    private static List<string> AllPoints(IEnumerable<Metric> metrics) => metrics.SelectMany(m => m.DataCase switch
    {
        Metric.DataOneofCase.Gauge => m.Gauge.DataPoints.Select(p => $"{m.Name} {p}"),
        Metric.DataOneofCase.Sum => m.Sum.DataPoints.Select(p => $"{m.Name} {p}"),
        Metric.DataOneofCase.Histogram => m.Histogram.DataPoints.Select(p => $"{m.Name} {p}"),
        Metric.DataOneofCase.ExponentialHistogram => m.ExponentialHistogram.DataPoints.Select(p => $"{m.Name} {p}"),
        _ => m.Summary.DataPoints.Select(p => $"{m.Name} {p}"),
    }).ToList();
}
