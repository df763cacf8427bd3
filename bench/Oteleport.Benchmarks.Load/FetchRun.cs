using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Storage;

namespace Oteleport.Benchmarks.Load;

internal sealed record FetchSettings(int Spans, int AttributesPerSpan, int SpansPerAppend, int PageSize, IReadOnlyList<string> ServerArgs);

internal sealed record FetchResult(
    int PreparedSpans,
    int Objects,
    double PrepareSeconds,
    double StoreSpansPerSecond,
    long StoreSpans,
    double RestSpansPerSecond,
    long RestSpans,
    int RestPages,
    long PeakServerBytes,
    double RestServerCpuSeconds,
    double RestSeconds,
    double MachineBusyCores,
    IReadOnlyList<string> ServerOutput)
{
    /// <summary>Spans per second of server CPU while walking over REST.</summary>
    public double RestSpansPerServerCpuSecond => RestServerCpuSeconds == 0 ? 0 : RestSpans / RestServerCpuSeconds;
}

/// <summary>Writes a range of spans straight through <see cref="ISignalStore"/>, then walks it page by page at the store level and through the REST API.</summary>
internal static class FetchRun
{
    public static async Task<FetchResult> RunAsync(FetchSettings settings)
    {
        var folder = Paths.NewTempFolder("fetch");
        try
        {
            var startNano = UnixNano(DateTimeOffset.UtcNow.AddMinutes(-1));
            var prepare = Stopwatch.StartNew();
            // Written with no flush wait (what arrives during a write joins the next object), so that
            // preparing takes seconds; objects come out at a few thousand spans, as at full ingest.
            await using (var services = Store(folder, [.. settings.ServerArgs, "--Oteleport:Storage:FlushInterval=00:00:00"]))
            {
                var store = services.GetRequiredService<ISignalStore>();
                var factories = Enumerable.Range(0, 4).Select(i => new RequestFactory(settings.SpansPerAppend, settings.AttributesPerSpan, 1000 + i)).ToArray();
                var appends = settings.Spans / settings.SpansPerAppend;
                var next = -1;
                // A few concurrent writers, as receivers would be; group commit merges them as in a real run.
                await Task.WhenAll(factories.Select(factory => Task.Run(async () =>
                {
                    while (Interlocked.Increment(ref next) < appends)
                    {
                        var request = factory.Refresh();
                        await store.AppendTracesAsync(new TracesData { ResourceSpans = { request.ResourceSpans } }).ConfigureAwait(false);
                    }
                }))).ConfigureAwait(false);
            }
            prepare.Stop();
            var endNano = UnixNano(DateTimeOffset.UtcNow.AddMinutes(1));
            var objects = Paths.CountObjects(folder, "traces");

            // Store level: the signal store in this process, as an embedding app would call it.
            long storeSpans;
            double storeRate;
            await using (var services = Store(folder, settings.ServerArgs))
            {
                var store = services.GetRequiredService<ISignalStore>();
                var watch = Stopwatch.StartNew();
                storeSpans = 0;
                var cursor = "";
                while (true)
                {
                    var page = await store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = startNano, EndTimeUnixNano = endNano, Cursor = cursor, Limit = settings.PageSize }).ConfigureAwait(false);
                    foreach (var resource in page.ResourceSpans)
                    {
                        foreach (var scope in resource.ScopeSpans)
                        {
                            storeSpans += scope.Spans.Count;
                        }
                    }
                    if (!page.HasMore)
                    {
                        break;
                    }
                    cursor = page.NextCursor;
                }
                storeRate = storeSpans / watch.Elapsed.TotalSeconds;
            }

            // REST: the standalone server over the same folder, pages of JSON as a client would read them.
            await using var server = await ServerProcess.StartAsync(folder, settings.ServerArgs).ConfigureAwait(false);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(120) };
            var uri = new Uri($"http://127.0.0.1:{server.ApiPort}/api/traces/fetch");
            var restWatch = Stopwatch.StartNew();
            var serverCpuAtStart = server.CpuSeconds();
            var machine = new MachineLoad();
            long restSpans = 0;
            var pages = 0;
            var restCursor = "";
            var requestTime = TimeSpan.Zero;
            while (true)
            {
                var body = $$"""{"startTimeUnixNano":"{{startNano}}","endTimeUnixNano":"{{endNano}}","cursor":"{{restCursor}}","limit":{{settings.PageSize}}}""";
                using var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var requestStarted = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync(uri, content).ConfigureAwait(false);
                var bytes = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                requestTime += Stopwatch.GetElapsedTime(requestStarted);
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"fetch failed: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
                }
                var (spans, nextCursor, hasMore) = ScanPage(bytes);
                restSpans += spans;
                pages++;
                if (!hasMore)
                {
                    break;
                }
                restCursor = nextCursor;
            }
            var restRate = restSpans / restWatch.Elapsed.TotalSeconds;
            var restCpu = server.CpuSeconds() - serverCpuAtStart;
            var (machineBusy, _) = machine.Stop();
            Console.Error.WriteLine($"  REST: {restWatch.Elapsed.TotalMilliseconds / pages:N1} ms a page, of which {requestTime.TotalMilliseconds / pages:N1} ms from request to the last byte of the answer; server CPU {restCpu / restWatch.Elapsed.TotalSeconds:N2} cores, machine {machineBusy:N2} cores busy");
            var peak = server.PeakWorkingSet();
            if (storeSpans != settings.Spans || restSpans != settings.Spans)
            {
                throw new InvalidOperationException($"the walks returned {storeSpans:N0} (store) and {restSpans:N0} (REST) spans of {settings.Spans:N0}");
            }
            return new FetchResult(settings.Spans, objects, prepare.Elapsed.TotalSeconds, storeRate, storeSpans, restRate, restSpans, pages, peak, restCpu, restWatch.Elapsed.TotalSeconds, machineBusy, server.Output);
        }
        finally
        {
            LoadRun.TryDelete(folder);
        }
    }

    private static ServiceProvider Store(string folder, IReadOnlyList<string> serverArgs)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory, NullLoggerFactory>();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddOteleportCore(o =>
        {
            o.Storage.Location = folder;
            foreach (var arg in serverArgs)
            {
                Program.ApplyStorageArg(o, arg);
            }
        }).UseFileSystemStorage(folder);
        return services.BuildServiceProvider();
    }

    /// <summary>Counts the spans of a JSON page and reads its cursor, without building messages.</summary>
    internal static (int Spans, string NextCursor, bool HasMore) ScanPage(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        var spans = 0;
        var cursor = "";
        var hasMore = false;
        // Depths: 1 root object, 2 resourceSpans array, 3 resource, 4 scopeSpans, 5 scope, 6 spans array, 7 a span.
        var inSpans = false;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when reader.CurrentDepth == 1:
                    if (reader.ValueTextEquals("nextCursor"))
                    {
                        reader.Read();
                        cursor = reader.GetString() ?? "";
                    }
                    else if (reader.ValueTextEquals("hasMore"))
                    {
                        reader.Read();
                        hasMore = reader.TokenType == JsonTokenType.True;
                    }
                    break;
                case JsonTokenType.PropertyName when reader.CurrentDepth == 5:
                    inSpans = reader.ValueTextEquals("spans");
                    break;
                case JsonTokenType.StartObject when reader.CurrentDepth == 6 && inSpans:
                    spans++;
                    reader.Skip();
                    break;
            }
        }
        return (spans, cursor, hasMore);
    }

    private static ulong UnixNano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;
}
