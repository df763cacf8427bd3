using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// Stopping the host (what SIGTERM does) stops taking requests, completes the Exports in flight by writing
/// their group-commit batches at once rather than after the flush interval, and returns in bounded time.
/// </summary>
public sealed class ShutdownTests
{
    // Far longer than the stop may take: an Export that waits for it has not been drained.
    private const string LongFlushInterval = "00:01:00";

    /// <summary>Counts the requests that the app is handling right now.</summary>
    private sealed class InFlight : IStartupFilter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (HttpContext context, RequestDelegate nextMiddleware) =>
            {
                Interlocked.Increment(ref _count);
                try
                {
                    await nextMiddleware(context);
                }
                finally
                {
                    Interlocked.Decrement(ref _count);
                }
            });
            next(app);
        };
    }

    [Test]
    public async Task Stopping_the_host_completes_the_exports_in_flight_and_stores_everything_acknowledged()
    {
        using var folder = new TempFolder("e2e-shutdown");
        var inFlight = new InFlight();
        var server = await ServerInstance.StartAsync(folder.Path,
            ServerInstance.StandardArgs(folder.Path, $"--Oteleport:Storage:FlushInterval={LongFlushInterval}"),
            builder => builder.Services.AddSingleton<IStartupFilter>(inFlight));
        var first = DateTimeOffset.UtcNow.AddSeconds(-30);
        using var channel = GrpcChannel.ForAddress(server.GrpcUrl);
        var grpc = new TraceService.TraceServiceClient(channel);
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        // Twenty Exports, half over gRPC and half over HTTP, all waiting for their batches to be written.
        var exports = Enumerable.Range(0, 20).Select(i =>
        {
            var data = TestSignals.Spans(5, first, TimeSpan.FromMilliseconds(10), offset: i * 5);
            return i % 2 == 0
                ? grpc.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } }).ResponseAsync.ContinueWith(t => t.Result.ToString(), TaskScheduler.Default)
                : http.PostAsync(server.Otlp("/v1/traces"), Wire.Protobuf.Encode(data), Api.ProtobufType).ContinueWith(t => Api.ExpectOkAsync(t.Result).Result.Length.ToString(), TaskScheduler.Default);
        }).ToArray();
        var watch = Stopwatch.StartNew();
        while (inFlight.Count < exports.Length)
        {
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20), "the Exports reach the server ({0} so far)", inFlight.Count);
            await Task.Delay(10);
        }
        exports.Should().OnlyContain(e => !e.IsCompleted, "they wait for the flush interval");

        var stopping = Stopwatch.StartNew();
        await server.DisposeAsync(); // the host's StopAsync, as on SIGTERM
        stopping.Stop();

        await Task.WhenAll(exports); // every Export in flight was acknowledged, none failed
        stopping.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the stop drains at once instead of waiting for the {0} flush interval", LongFlushInterval);

        await using var after = await ServerInstance.StartAsync(folder.Path);
        var (start, end) = AroundNow(TimeSpan.FromMinutes(5));
        var page = await after.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 });
        TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name).Should().BeEquivalentTo(Enumerable.Range(0, 100).Select(n => $"span-{n}"));
    }
}
