using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oteleport.Options;
using Oteleport.Query;
using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>The group commit contract: few objects, acknowledged only when stored, failures shared, nothing left at shutdown.</summary>
public class GroupCommitTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private sealed class Harness : IAsyncDisposable
    {
        public Harness(TimeSpan flushInterval)
        {
            Services = new ServiceCollection()
                .AddSingleton<ILoggerFactory, NullLoggerFactory>()
                .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            Services.AddOteleportCore(o => o.Storage.FlushInterval = flushInterval);
            Objects = new FaultInjectingObjectStore(new FileSystemObjectStore(Folder.Path));
            Services.AddSingleton<IObjectStore>(Objects);
            Provider = Services.BuildServiceProvider();
            Store = Provider.GetRequiredService<ISignalStore>();
        }

        public TempFolder Folder { get; } = new("group-commit");
        public IServiceCollection Services { get; }
        public ServiceProvider Provider { get; }
        public FaultInjectingObjectStore Objects { get; }
        public ISignalStore Store { get; }

        public async Task<int> SpanCountAsync()
        {
            var page = await Store.FetchTracesAsync(new FetchQuery
            {
                StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
                EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(1)),
                Limit = 10_000,
            });
            return TestSignals.AllSpans(page.ResourceSpans).Count;
        }

        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            Folder.Dispose();
        }
    }

    [Test]
    public async Task Many_concurrent_exports_of_one_partition_share_few_objects()
    {
        await using var harness = new Harness(TimeSpan.FromMilliseconds(100));
        var exports = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => harness.Store.AppendTracesAsync(TestSignals.Spans(10, Time, TimeSpan.FromMilliseconds(1), offset: i * 10))))
            .ToArray();
        await Task.WhenAll(exports);
        harness.Objects.PutCount.Should().BeLessThan(20, "200 exports arriving together are written in a few batches");
        (await harness.SpanCountAsync()).Should().Be(2000);
    }

    [Test]
    public async Task An_export_returns_only_after_its_object_is_stored()
    {
        await using var harness = new Harness(TimeSpan.Zero);
        harness.Objects.HoldWrites();
        var export = harness.Store.AppendTracesAsync(TestSignals.Spans(5, Time, TimeSpan.FromSeconds(1)));
        await Task.Delay(300);
        export.IsCompleted.Should().BeFalse("the object is not stored yet");
        (await harness.SpanCountAsync()).Should().Be(0);
        harness.Objects.ReleaseWrites();
        await export;
        (await harness.SpanCountAsync()).Should().Be(5);
    }

    [Test]
    public async Task A_slow_write_does_not_hold_back_the_next_batches_but_few_are_in_flight()
    {
        await using var harness = new Harness(TimeSpan.Zero);
        harness.Objects.HoldWrites();
        var exports = new List<Task>();
        for (var i = 0; i < 8; i++)
        {
            exports.Add(harness.Store.AppendTracesAsync(TestSignals.Spans(2, Time, TimeSpan.FromSeconds(1), offset: i * 2)));
            await Task.Delay(150); // each batch finds the earlier writes stalled
        }
        harness.Objects.PutsStarted.Should().Be(4, "a stalled write lets the next batches be written beside it, up to four at once");
        exports.Should().OnlyContain(e => !e.IsCompleted);
        harness.Objects.ReleaseWrites();
        await Task.WhenAll(exports);
        harness.Objects.PutCount.Should().Be(5, "the exports that waited for a free slot share one object");
        (await harness.SpanCountAsync()).Should().Be(16);
    }

    [Test]
    public async Task A_failed_write_fails_every_export_of_its_batch()
    {
        await using var harness = new Harness(TimeSpan.FromMilliseconds(200));
        harness.Objects.FailWrites = true;
        var exports = Enumerable.Range(0, 20)
            .Select(i => harness.Store.AppendTracesAsync(TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1), offset: i * 3)))
            .ToArray();
        foreach (var export in exports)
        {
            await FluentActions.Awaiting(() => export).Should().ThrowAsync<StorageUnavailableException>();
        }
        harness.Objects.FailWrites = false;
        (await harness.SpanCountAsync()).Should().Be(0);
        // The store is usable again once the outage ends.
        await harness.Store.AppendTracesAsync(TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1)));
        (await harness.SpanCountAsync()).Should().Be(3);
    }

    [Test]
    public async Task Shutdown_writes_what_is_pending()
    {
        var harness = new Harness(TimeSpan.FromSeconds(30));
        var export = harness.Store.AppendTracesAsync(TestSignals.Spans(7, Time, TimeSpan.FromSeconds(1)));
        await Task.Delay(100);
        export.IsCompleted.Should().BeFalse("the batch waits for its flush interval");
        await harness.Provider.DisposeAsync();
        await export.WaitAsync(TimeSpan.FromSeconds(5));
        using var reopened = new SignalStoreFixture(folder: harness.Folder);
        var page = await reopened.Store.FetchTracesAsync(new FetchQuery
        {
            StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
            EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(1)),
        });
        TestSignals.AllSpans(page.ResourceSpans).Should().HaveCount(7);
        harness.Folder.Dispose();
    }

    [Test]
    public async Task Once_draining_begins_pending_and_later_batches_are_written_without_waiting()
    {
        await using var harness = new Harness(TimeSpan.FromMinutes(1));
        var pending = harness.Store.AppendTracesAsync(TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1)));
        await Task.Delay(100);
        pending.IsCompleted.Should().BeFalse("the batch waits for its flush interval");

        ((SignalStore)harness.Store).BeginDrain();

        await pending.WaitAsync(TimeSpan.FromSeconds(10));
        await harness.Store.AppendTracesAsync(TestSignals.Spans(4, Time, TimeSpan.FromSeconds(1), offset: 3)).WaitAsync(TimeSpan.FromSeconds(10));
        (await harness.SpanCountAsync()).Should().Be(7);
    }

    [Test]
    public async Task A_batch_is_written_early_when_it_reaches_its_size_bound()
    {
        var folder = new TempFolder("group-commit");
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory, NullLoggerFactory>()
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddOteleportCore(o =>
        {
            o.Storage.FlushInterval = TimeSpan.FromSeconds(30);
            o.Storage.MaxBatchRecords = 50;
        }).UseFileSystemStorage(folder.Path);
        await using var provider = services.BuildServiceProvider();
        var store = provider.GetRequiredService<ISignalStore>();
        await store.AppendTracesAsync(TestSignals.Spans(60, Time, TimeSpan.FromMilliseconds(1))).WaitAsync(TimeSpan.FromSeconds(10));
        folder.Dispose();
    }
}
