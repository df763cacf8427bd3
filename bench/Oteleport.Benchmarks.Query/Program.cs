// Measures what object summaries save a selective query: the same data is written twice, with and
// without summaries, then one trace id and one service among many are fetched over the whole range.
// Usage: dotnet run -c Release --project bench/Oteleport.Benchmarks.Query -- [--objects 2000] [--spans 100]
using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Storage;

var objects = Option("--objects", 2000);
var spansPerObject = Option("--spans", 100);
const int Services = 50;
var first = new DateTimeOffset(2024, 10, 23, 0, 0, 0, TimeSpan.Zero);
var spacing = TimeSpan.FromHours(24) / objects;

Console.WriteLine($"{objects} objects of {spansPerObject} spans over 24 hours, {Services} services");
var rows = new List<string[]>();
foreach (var summaries in new[] { false, true })
{
    var folder = Path.Combine(Path.GetTempPath(), $"oteleport-query-bench-{Guid.NewGuid():N}");
    var counting = new CountingObjectStore(new FileSystemObjectStore(folder));
    var services = new ServiceCollection()
        .AddSingleton<ILoggerFactory, NullLoggerFactory>()
        .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
    services.AddOteleportCore(o =>
    {
        o.Storage.FlushInterval = TimeSpan.Zero;
        o.Storage.Summaries = summaries;
    });
    services.AddSingleton<IObjectStore>(counting);
    await using (var provider = services.BuildServiceProvider())
    {
        var store = provider.GetRequiredService<ISignalStore>();
        for (var i = 0; i < objects; i++)
        {
            await store.AppendTracesAsync(Batch(i, first + spacing * i, spansPerObject));
        }
        var range = new FetchQuery
        {
            StartTimeUnixNano = Nano(first),
            EndTimeUnixNano = Nano(first + TimeSpan.FromHours(24)),
            Limit = 10_000,
        };
        var label = summaries ? "with summaries" : "without";
        await MeasureAsync(store, counting, "warm-up", range with { Filter = new FetchFilter { ServiceName = "service-1" } });
        rows.Add(await MeasureAsync(store, counting, $"one trace id, {label}", range with { Filter = new FetchFilter { TraceId = TraceId(objects / 2, 3) } }));
        rows.Add(await MeasureAsync(store, counting, $"one service of {Services}, {label}", range with { Filter = new FetchFilter { ServiceName = "service-7" } }));
        rows.Add(await MeasureAsync(store, counting, $"no filter, {label}", range));
    }
    Directory.Delete(folder, recursive: true);
}
Console.WriteLine();
Console.WriteLine($"{"query",-36} {"objects read",12} {"spans",8} {"time ms",9}");
foreach (var row in rows)
{
    Console.WriteLine($"{row[0],-36} {row[1],12} {row[2],8} {row[3],9}");
}
return 0;

static async Task<string[]> MeasureAsync(ISignalStore store, CountingObjectStore counting, string name, FetchQuery query)
{
    counting.Reset();
    var watch = Stopwatch.StartNew();
    var spans = 0;
    string? cursor = null;
    do
    {
        var page = await store.FetchTracesAsync(query with { Cursor = cursor });
        spans += page.ResourceSpans.Sum(r => r.ScopeSpans.Sum(s => s.Spans.Count));
        cursor = page.HasMore ? page.NextCursor : null;
    }
    while (cursor is not null);
    return [name, counting.Reads.ToString(), spans.ToString(), watch.ElapsedMilliseconds.ToString()];
}

// One object: one service's spans, each object its own traces (trace ids derive from the object index).
static TracesData Batch(int index, DateTimeOffset start, int spans)
{
    var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "bench" } };
    for (var i = 0; i < spans; i++)
    {
        var t = Nano(start) + (ulong)i * 1000;
        scope.Spans.Add(new Span
        {
            TraceId = TraceId(index, i % 10),
            SpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)index * 1_000_000 + i + 1)),
            Name = "GET /orders",
            StartTimeUnixNano = t,
            EndTimeUnixNano = t + 5_000_000,
            Attributes = { new KeyValue { Key = "http.status_code", Value = new AnyValue { IntValue = 200 } } },
        });
    }
    var resource = new Resource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = $"service-{index % Services}" } } } };
    return new TracesData { ResourceSpans = { new ResourceSpans { Resource = resource, ScopeSpans = { scope } } } };
}

static ByteString TraceId(int index, int n)
{
    var bytes = new byte[16];
    BitConverter.TryWriteBytes(bytes, (long)index + 1);
    BitConverter.TryWriteBytes(bytes.AsSpan(8), (long)n + 1);
    return ByteString.CopyFrom(bytes);
}

static ulong Nano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

int Option(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var value) ? value : fallback;
}

/// <summary>Counts the objects a fetch downloads; summaries are not counted.</summary>
internal sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private int _reads;

    public int Reads => _reads;

    public void Reset() => _reads = 0;

    public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default) =>
        inner.PutAsync(key, content, metadata, cancellationToken);

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, startAfter, cancellationToken);

    public Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<string?> GetSummaryAsync(string key, CancellationToken cancellationToken = default) => inner.GetSummaryAsync(key, cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken = default) => inner.CheckAsync(cancellationToken);
}
