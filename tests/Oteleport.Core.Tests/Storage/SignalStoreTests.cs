using System.IO.Compression;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Query;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

public class SignalStoreTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private static FetchQuery Around(DateTimeOffset time) => new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(time - TimeSpan.FromHours(3)),
        EndTimeUnixNano = TestSignals.UnixNano(time + TimeSpan.FromHours(3)),
    };

    [Test]
    public async Task Objects_follow_the_Go_layout_and_hold_gzipped_OTLP_JSON()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Store.AppendTracesAsync(TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1)));
        await fixture.Store.AppendMetricsAsync(TestSignals.AllMetricKinds(Time));
        await fixture.Store.AppendLogsAsync(TestSignals.Logs(3, Time, TimeSpan.FromSeconds(1)));

        var files = Directory.GetFiles(fixture.Folder.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(fixture.Folder.Path, f).Replace('\\', '/'))
            .Where(f => !Path.GetFileName(f).StartsWith('.')) // the cursor key and summaries are hidden files
            .ToList();
        files.Should().HaveCount(3);
        files.Should().ContainSingle(f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^traces/2024/10/23/09/spans-\d{14}-[A-Za-z0-9]{8}\.json\.gz$"));
        files.Should().ContainSingle(f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^metrics/2024/10/23/09/data-points-\d{14}-[A-Za-z0-9]{8}\.json\.gz$"));
        files.Should().ContainSingle(f => System.Text.RegularExpressions.Regex.IsMatch(f, @"^logs/2024/10/23/09/records-\d{14}-[A-Za-z0-9]{8}\.json\.gz$"));

        var trace = files.Single(f => f.StartsWith("traces/", StringComparison.Ordinal));
        await using var gz = new GZipStream(File.OpenRead(Path.Combine(fixture.Folder.Path, trace)), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gz.CopyToAsync(plain);
        var document = OtlpJson.Parse<TracesData>(plain.ToArray());
        TestSignals.AllSpans(document.ResourceSpans).Should().HaveCount(3);
    }

    [Test]
    public async Task Records_of_one_request_go_to_the_hour_of_their_own_time()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Store.AppendTracesAsync(TestSignals.Spans(6, Time, TimeSpan.FromMinutes(25)));
        var folders = Directory.GetDirectories(Path.Combine(fixture.Folder.Path, "traces", "2024", "10", "23")).Select(Path.GetFileName);
        folders.Should().BeEquivalentTo(["09", "10", "11"]);
        var page = await fixture.Store.FetchTracesAsync(Around(Time));
        TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name).Should().Equal(Enumerable.Range(0, 6).Select(i => $"span-{i}"));
    }

    [Test]
    public async Task Fetch_returns_spans_metrics_and_logs_intact()
    {
        using var fixture = new SignalStoreFixture(o => o.Storage.Gzip = false);
        var traces = TestSignals.Spans(5, Time, TimeSpan.FromSeconds(1));
        var metrics = TestSignals.AllMetricKinds(Time);
        var logs = TestSignals.Logs(4, Time, TimeSpan.FromSeconds(1));
        await fixture.Store.AppendTracesAsync(traces);
        await fixture.Store.AppendMetricsAsync(metrics);
        await fixture.Store.AppendLogsAsync(logs);

        (await fixture.Store.FetchTracesAsync(Around(Time))).ResourceSpans.Should().Equal(traces.ResourceSpans);
        (await fixture.Store.FetchMetricsAsync(Around(Time))).ResourceMetrics.Should().Equal(metrics.ResourceMetrics);
        (await fixture.Store.FetchLogsAsync(Around(Time))).ResourceLogs.Should().Equal(logs.ResourceLogs);
    }

    [Test]
    public async Task Metric_paging_counts_data_points_and_keeps_each_metric_kind()
    {
        using var fixture = new SignalStoreFixture();
        var metrics = TestSignals.AllMetricKinds(Time, points: 3); // 15 data points
        await fixture.Store.AppendMetricsAsync(metrics);
        var collected = new List<Metric>();
        string? cursor = null;
        do
        {
            var page = await fixture.Store.FetchMetricsAsync(Around(Time) with { Limit = 4, Cursor = cursor });
            var metricsOfPage = page.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).ToList();
            metricsOfPage.Sum(PointCount).Should().Be(page.HasMore ? 4 : 3);
            collected.AddRange(metricsOfPage);
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
        collected.GroupBy(m => m.Name).Select(g => (g.Key, g.Sum(PointCount))).Should().BeEquivalentTo(
            [("temperature", 3), ("requests", 3), ("latency", 3), ("size", 3), ("duration", 3)]);
    }

    private static int PointCount(Metric m) => m.DataCase switch
    {
        Metric.DataOneofCase.Gauge => m.Gauge.DataPoints.Count,
        Metric.DataOneofCase.Sum => m.Sum.DataPoints.Count,
        Metric.DataOneofCase.Histogram => m.Histogram.DataPoints.Count,
        Metric.DataOneofCase.ExponentialHistogram => m.ExponentialHistogram.DataPoints.Count,
        _ => m.Summary.DataPoints.Count,
    };

    [Test]
    public async Task A_cumulative_series_started_long_ago_lands_in_the_hour_it_was_observed()
    {
        using var fixture = new SignalStoreFixture();
        var metrics = TestSignals.AllMetricKinds(Time, points: 1);
        foreach (var point in metrics.ResourceMetrics[0].ScopeMetrics[0].Metrics.Single(m => m.Name == "requests").Sum.DataPoints)
        {
            point.StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromDays(3));
        }
        await fixture.Store.AppendMetricsAsync(metrics);
        var lastHour = new FetchQuery { StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromMinutes(5)), EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromMinutes(5)) };
        var page = await fixture.Store.FetchMetricsAsync(lastHour);
        page.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.Name).Should().Contain("requests");
    }

    [Test]
    public async Task Logs_without_a_time_use_the_observed_time()
    {
        using var fixture = new SignalStoreFixture();
        var logs = TestSignals.Logs(1, Time, TimeSpan.Zero);
        var record = logs.ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        record.ObservedTimeUnixNano = record.TimeUnixNano;
        record.TimeUnixNano = 0;
        await fixture.Store.AppendLogsAsync(logs);
        (await fixture.Store.FetchLogsAsync(Around(Time))).ResourceLogs.Should().Equal(logs.ResourceLogs);
        Directory.Exists(Path.Combine(fixture.Folder.Path, "logs", "2024", "10", "23", "09")).Should().BeTrue();
    }

    [Test]
    public async Task Data_written_before_a_restart_is_fetched_after_it_with_a_kept_cursor_key()
    {
        var folder = new TempFolder("restart");
        string cursor;
        using (var before = new SignalStoreFixture(folder: folder))
        {
            await before.Store.AppendTracesAsync(TestSignals.Spans(20, Time, TimeSpan.FromSeconds(1)));
            cursor = (await before.Store.FetchTracesAsync(Around(Time) with { Limit = 5 })).NextCursor;
        }
        using var after = new SignalStoreFixture(folder: folder);
        var rest = await after.Store.FetchTracesAsync(Around(Time) with { Limit = 100, Cursor = cursor });
        TestSignals.AllSpans(rest.ResourceSpans).Should().HaveCount(15);
        folder.Dispose();
    }

    [Test]
    public async Task An_unreadable_object_is_skipped_and_the_rest_is_served()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Store.AppendLogsAsync(TestSignals.Logs(3, Time, TimeSpan.FromSeconds(1)));
        var folder = Path.Combine(fixture.Folder.Path, "logs", "2024", "10", "23", "09");
        await File.WriteAllTextAsync(Path.Combine(folder, "records-20241023093000-broken00.json"), "{\"resourceLogs\": [ not json");
        var page = await fixture.Store.FetchLogsAsync(Around(Time));
        page.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Should().HaveCount(3);
    }

    [Test]
    public async Task An_empty_request_writes_nothing()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Store.AppendTracesAsync(new TracesData());
        await fixture.Store.AppendLogsAsync(new LogsData { ResourceLogs = { new ResourceLogs() } });
        Directory.Exists(Path.Combine(fixture.Folder.Path, "traces")).Should().BeFalse();
        Directory.Exists(Path.Combine(fixture.Folder.Path, "logs")).Should().BeFalse();
    }
    [TestCase(false)]
    [TestCase(true)]
    public async Task A_record_as_deep_as_protobuf_allows_reads_back_with_its_batch(bool flatten)
    {
        // About 100 message levels (protobuf's limit) are about 150 levels of JSON: more than a request may
        // have, but what was accepted must read back, or the whole object, other records too, is lost.
        var value = new OpenTelemetry.Proto.Common.V1.AnyValue { StringValue = "leaf" };
        for (var i = 0; i < 47; i++)
        {
            value = new OpenTelemetry.Proto.Common.V1.AnyValue { ArrayValue = new OpenTelemetry.Proto.Common.V1.ArrayValue { Values = { value } } };
        }
        var traces = TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1));
        TestSignals.AllSpans(traces.ResourceSpans)[0].Attributes.Add(new OpenTelemetry.Proto.Common.V1.KeyValue { Key = "deep", Value = value });
        var wire = Google.Protobuf.MessageExtensions.ToByteArray(traces);
        using var fixture = new SignalStoreFixture(o => o.Storage.Flatten = flatten);

        await fixture.Store.AppendTracesAsync(TracesData.Parser.ParseFrom(wire));

        TestSignals.AllSpans((await fixture.Store.FetchTracesAsync(Around(Time))).ResourceSpans)
            .Should().BeEquivalentTo(TestSignals.AllSpans(traces.ResourceSpans));
    }
}
