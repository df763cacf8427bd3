using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Signals;
using Oteleport.Storage;
using Oteleport.Storage.Summaries;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

public class ObjectSummaryTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private static List<SignalRecord> Records(TracesData data)
    {
        var records = new List<SignalRecord>();
        TraceShape.Instance.Collect(data, records);
        return records;
    }

    [Test]
    public void A_summary_proves_absence_and_never_denies_presence()
    {
        var data = TestSignals.Spans(200, Time, TimeSpan.FromSeconds(1), services: 3);
        var text = ObjectSummary.Build(SignalType.Traces, Records(data));
        text.Should().MatchRegex("^[\\x20-\\x7E]+$", "it travels as an HTTP header");
        text.Length.Should().BeLessThan(1800);
        var summary = ObjectSummary.Parse(text)!;
        var start = TestSignals.UnixNano(Time);
        var end = TestSignals.UnixNano(Time + TimeSpan.FromSeconds(199));

        foreach (var span in TestSignals.AllSpans(data.ResourceSpans))
        {
            summary.CanMatch(SignalType.Traces, start, end, new FetchFilter { TraceId = span.TraceId }).Should().BeTrue();
        }
        summary.CanMatch(SignalType.Traces, start, end, new FetchFilter { ServiceName = "service-2" }).Should().BeTrue();
        summary.CanMatch(SignalType.Traces, start, end, new FetchFilter { ServiceName = "service-9" }).Should().BeFalse();
        summary.CanMatch(SignalType.Traces, end + 1, end + 10, FetchFilter.None).Should().BeFalse();
        summary.CanMatch(SignalType.Traces, 1, start - 1, FetchFilter.None).Should().BeFalse();
        summary.CanMatch(SignalType.Traces, end, end + 10, FetchFilter.None).Should().BeTrue();
        var absent = Enumerable.Range(10_000, 200).Count(i => summary.CanMatch(SignalType.Traces, start, end, new FetchFilter { TraceId = TestSignals.TraceId(i) }));
        absent.Should().BeLessThan(10, "about 1% false positives");
    }

    [Test]
    public void Too_many_services_to_list_still_allow_skipping_by_time_and_trace()
    {
        var data = new TracesData();
        for (var i = 0; i < 300; i++)
        {
            data.ResourceSpans.Add(TestSignals.Spans(1, Time, TimeSpan.Zero, services: 1, offset: i).ResourceSpans[0]);
            data.ResourceSpans[^1].Resource = TestSignals.Service($"a-rather-long-service-name-{i}");
        }
        var summary = ObjectSummary.Parse(ObjectSummary.Build(SignalType.Traces, Records(data)))!;
        summary.Services.Should().BeNull();
        summary.CanMatch(SignalType.Traces, 1, 2, new FetchFilter { ServiceName = "x" }).Should().BeFalse("the time range still excludes it");
        summary.CanMatch(SignalType.Traces, 1, ulong.MaxValue, new FetchFilter { ServiceName = "x" }).Should().BeTrue("services are unknown");
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("not json")]
    [TestCase("{\"v\":99}")]
    public void An_unusable_summary_means_read_the_object(string? text) => ObjectSummary.Parse(text).Should().BeNull();

    private static async Task<(FaultInjectingObjectStore Objects, ISignalStore Store, ServiceProvider Provider)> StoreAsync(TempFolder folder, bool summaries)
    {
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory, NullLoggerFactory>()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddOteleportCore(o =>
        {
            o.Storage.FlushInterval = TimeSpan.Zero;
            o.Storage.Summaries = summaries;
        });
        var objects = new FaultInjectingObjectStore(new FileSystemObjectStore(folder.Path));
        services.AddSingleton<IObjectStore>(objects);
        var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISignalStore>();
        // 60 objects over 3 hours, each its own service and traces.
        for (var i = 0; i < 60; i++)
        {
            var data = TestSignals.Spans(20, Time + TimeSpan.FromMinutes(3 * i), TimeSpan.FromSeconds(1), services: 1, offset: i * 20);
            data.ResourceSpans[0].Resource = TestSignals.Service($"svc-{i}");
            await store.AppendTracesAsync(data);
        }
        return (objects, store, provider);
    }

    [Test]
    public async Task A_selective_query_reads_far_fewer_objects_with_summaries_and_returns_the_same()
    {
        using var withFolder = new TempFolder("summaries");
        using var withoutFolder = new TempFolder("no-summaries");
        var (withObjects, with, withProvider) = await StoreAsync(withFolder, summaries: true);
        var (withoutObjects, without, withoutProvider) = await StoreAsync(withoutFolder, summaries: false);
        var query = new FetchQuery
        {
            StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromMinutes(1)),
            EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(4)),
            Filter = new FetchFilter { TraceId = TestSignals.TraceId(777 / 4) },
        };
        var a = await with.FetchTracesAsync(query);
        var b = await without.FetchTracesAsync(query);
        a.ResourceSpans.Should().Equal(b.ResourceSpans);
        TestSignals.AllSpans(a.ResourceSpans).Should().HaveCount(4);
        withoutObjects.GetCount.Should().Be(60, "with no summaries every object is read");
        withObjects.GetCount.Should().BeLessThanOrEqualTo(3, "only the object holding the trace, and rare false positives");

        var byService = query with { Filter = new FetchFilter { ServiceName = "svc-7" } };
        (await with.FetchTracesAsync(byService)).ResourceSpans.Should().Equal((await without.FetchTracesAsync(byService)).ResourceSpans);
        await withProvider.DisposeAsync();
        await withoutProvider.DisposeAsync();
    }
}
