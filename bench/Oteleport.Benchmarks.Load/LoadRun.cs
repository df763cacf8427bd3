using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace Oteleport.Benchmarks.Load;

internal enum Transport
{
    Grpc,
    HttpProtobuf,
}

internal sealed record LoadSettings(
    Transport Transport,
    int Senders,
    int SpansPerRequest,
    int AttributesPerSpan,
    TimeSpan Duration,
    TimeSpan Warmup,
    double TargetSpansPerSecond, // 0: as fast as the senders go (closed loop)
    bool Discard,
    IReadOnlyList<string> ServerArgs);

internal sealed record LoadResult(
    LoadSettings Settings,
    long Exports,
    long Errors,
    double Seconds,
    double SpansPerSecond,
    double P50Ms,
    double P99Ms,
    double P90Ms,
    double MaxMs,
    int Objects,
    double ObjectsPer1000Exports,
    long PeakServerBytes,
    double ServerCpuSeconds,
    double MachineBusyCores,
    double LoadGeneratorCores,
    IReadOnlyList<string> ServerOutput)
{
    public double ServerCpuPerSecond => ServerCpuSeconds / Seconds;

    /// <summary>Spans per second of server CPU: what the server would take with a core to itself.</summary>
    public double SpansPerServerCpuSecond => ServerCpuSeconds == 0 ? 0 : SpansPerSecond * Seconds / ServerCpuSeconds;

    /// <summary>Cores busy with processes other than the server and the load generator.</summary>
    public double OtherCores => Math.Max(0, MachineBusyCores - ServerCpuPerSecond - LoadGeneratorCores);
}

/// <summary>N senders export span batches for a duration; each measures its own Export latency.</summary>
internal static class LoadRun
{
    public static async Task<LoadResult> RunAsync(LoadSettings settings)
    {
        var folder = Paths.NewTempFolder(settings.Discard ? "noop" : "ingest");
        try
        {
            var serverArgs = settings.Discard ? settings.ServerArgs.Append("--OteleportBenchmark:DiscardWrites=true") : settings.ServerArgs;
            await using var server = await ServerProcess.StartAsync(folder, serverArgs).ConfigureAwait(false);
            using var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, MaxConnectionsPerServer = settings.Senders };
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{server.GrpcPort}", new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = false });
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Senders }) { Timeout = TimeSpan.FromSeconds(60) };
            var grpcClient = new TraceService.TraceServiceClient(channel);
            var httpUri = new Uri($"http://127.0.0.1:{server.HttpPort}/v1/traces");

            var warmupEnd = Stopwatch.GetTimestamp() + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
            var end = warmupEnd + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
            // Paced runs: every sender sends one request per interval, offset from the others.
            var requestsPerSecond = settings.TargetSpansPerSecond / settings.SpansPerRequest;
            var interval = requestsPerSecond > 0 ? settings.Senders / requestsPerSecond : 0;

            var senders = new Task<SenderResult>[settings.Senders];
            for (var s = 0; s < settings.Senders; s++)
            {
                var index = s;
                senders[s] = Task.Run(async () =>
                {
                    var factory = new RequestFactory(settings.SpansPerRequest, settings.AttributesPerSpan, index);
                    var result = new SenderResult();
                    var next = Stopwatch.GetTimestamp() + (long)(interval * Stopwatch.Frequency * index / settings.Senders);
                    while (true)
                    {
                        if (interval > 0)
                        {
                            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
                            if (wait > TimeSpan.Zero)
                            {
                                await Task.Delay(wait).ConfigureAwait(false);
                            }
                            next += (long)(interval * Stopwatch.Frequency);
                            // A sender that fell behind (a slow Export) resumes its pace from now rather than
                            // sending the missed requests in a burst.
                            var now = Stopwatch.GetTimestamp();
                            if (next < now)
                            {
                                next = now;
                            }
                        }
                        var started = Stopwatch.GetTimestamp();
                        if (started >= end)
                        {
                            break;
                        }
                        var request = factory.Refresh();
                        var ok = true;
                        try
                        {
                            if (settings.Transport == Transport.Grpc)
                            {
                                await grpcClient.ExportAsync(request, deadline: DateTime.UtcNow.AddSeconds(30)).ResponseAsync.ConfigureAwait(false);
                            }
                            else
                            {
                                using var content = new ByteArrayContent(request.ToByteArray());
                                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                                using var response = await http.PostAsync(httpUri, content).ConfigureAwait(false);
                                ok = response.StatusCode == HttpStatusCode.OK;
                                if (!ok)
                                {
                                    result.FirstError ??= $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync().ConfigureAwait(false)}";
                                }
                            }
                        }
                        catch (RpcException e)
                        {
                            ok = false;
                            result.FirstError ??= e.Status.ToString();
                        }
                        catch (HttpRequestException e)
                        {
                            ok = false;
                            result.FirstError ??= e.Message;
                        }
                        var finished = Stopwatch.GetTimestamp();
                        result.AllExports++;
                        if (started >= warmupEnd)
                        {
                            if (ok)
                            {
                                result.Latencies.Add(Stopwatch.GetElapsedTime(started, finished).TotalMilliseconds);
                            }
                            else
                            {
                                result.Errors++;
                            }
                        }
                    }
                    return result;
                });
            }
            // Server CPU over the measured window only.
            await DelayUntil(warmupEnd).ConfigureAwait(false);
            var cpuAtStart = server.CpuSeconds();
            var machine = new MachineLoad();
            var all = await Task.WhenAll(senders).ConfigureAwait(false);
            var measured = Stopwatch.GetElapsedTime(warmupEnd).TotalSeconds;
            var cpu = server.CpuSeconds() - cpuAtStart;
            var (machineBusy, loadGenerator) = machine.Stop();
            var peak = server.PeakWorkingSet();
            var output = server.Output;
            await server.DisposeAsync().ConfigureAwait(false); // flushes what is open, so every object is counted

            var latencies = all.SelectMany(r => r.Latencies).ToArray();
            Array.Sort(latencies);
            var exports = latencies.LongLength;
            var objects = settings.Discard ? 0 : Paths.CountObjects(folder, "traces");
            // Objects of the warm-up are counted too, so its exports are too.
            var allExports = all.Sum(r => r.AllExports);
            return new LoadResult(
                settings,
                exports,
                all.Sum(r => r.Errors),
                measured,
                exports * (double)settings.SpansPerRequest / measured,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                Percentile(latencies, 0.90),
                latencies.Length == 0 ? 0 : latencies[^1],
                objects,
                allExports == 0 ? 0 : objects * 1000.0 / allExports,
                peak,
                cpu,
                machineBusy,
                loadGenerator,
                all.Select(r => r.FirstError).OfType<string>().Take(1).Concat(output).ToArray());
        }
        finally
        {
            TryDelete(folder);
        }
    }

    private static async Task DelayUntil(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait).ConfigureAwait(false);
        }
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class SenderResult
    {
        public List<double> Latencies { get; } = new(4096);
        public long Errors { get; set; }
        public long AllExports { get; set; }
        public string? FirstError { get; set; }
    }
}
