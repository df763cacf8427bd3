using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// s3rver stops while senders export spans to the standalone server and starts again: Exports fail with
/// the retryable answers of the OTLP specification meanwhile, the same server process stores and serves
/// again afterwards, and no acknowledged span is lost.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class S3OutageEndToEndTests
{
    private static readonly TimeSpan PhaseTimeout = TimeSpan.FromSeconds(20);

    private enum Phase
    {
        Before,
        Down,
        // s3rver is starting; sends begun now may go either way.
        Restarting,
        After,
    }

    /// <summary>What one sender saw, per phase.</summary>
    private sealed class Sender(string name)
    {
        public string Name { get; } = name;
        public ConcurrentQueue<string> Acknowledged { get; } = new();
        public int[] Acks { get; } = new int[4];
        public int[] Failures { get; } = new int[4];

        public void Ack(string span, Phase phase)
        {
            Acknowledged.Enqueue(span);
            Interlocked.Increment(ref Acks[(int)phase]);
        }

        public void Fail(Phase phase) => Interlocked.Increment(ref Failures[(int)phase]);

        public override string ToString() =>
            $"{Name}: acks {string.Join('/', Acks)}, failures {string.Join('/', Failures)} (before/down/restarting/after, by when the send began)";
    }

    private volatile Phase _phase;

    [Test]
    public async Task Exports_fail_retryably_while_s3_is_down_and_nothing_acknowledged_is_lost()
    {
        using var s3 = await S3rverServer.StartNewAsync();
        var bucket = await s3.CreateBucketAsync();
        await using var server = await S3ServerInstance.StartAsync(s3, bucket);
        var from = DateTimeOffset.UtcNow.AddMinutes(-1);

        var http = new Sender("otlp/http");
        var grpc = new Sender("otlp/grpc");
        var sdk = new Sender("sdk otlp/http");
        Sender[] senders = [http, grpc, sdk];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var loops = new[]
        {
            Task.Run(() => HttpLoopAsync(server, http, stop.Token)),
            Task.Run(() => GrpcLoopAsync(server, grpc, stop.Token)),
            Task.Run(() => SdkLoop(server, sdk, stop.Token)),
        };

        try
        {
            _phase = Phase.Before;
            await WaitUntilAsync(() => senders.All(s => s.Acks[(int)Phase.Before] >= 3), "every sender is acknowledged", senders, loops);

            s3.Stop();
            _phase = Phase.Down;
            await WaitUntilAsync(() => senders.All(s => s.Failures[(int)Phase.Down] >= 2), "every sender fails while s3rver is down", senders, loops);

            // The REST API says the same: 503, Retry-After, google.rpc.Status UNAVAILABLE.
            using (var response = await server.PostFetchAsync("traces", S3ServerInstance.Nanos(from), 0))
            {
                await ShouldBeUnavailableAsync(response, json: true);
            }

            _phase = Phase.Restarting;
            await s3.StartAsync();
            _phase = Phase.After;
            await WaitUntilAsync(() => senders.All(s => s.Acks[(int)Phase.After] >= 3), "every sender is acknowledged again", senders, loops);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(loops);
        }

        foreach (var sender in senders)
        {
            TestContext.Out.WriteLine(sender);
        }
        var acknowledged = senders.SelectMany(s => s.Acknowledged).ToList();
        var fetched = (await server.FetchAllSpansAsync(S3ServerInstance.Nanos(from), S3ServerInstance.Nanos(DateTimeOffset.UtcNow.AddMinutes(1))))
            .Select(s => s.Name).ToHashSet();
        acknowledged.Where(name => !fetched.Contains(name)).Should().BeEmpty("every acknowledged Export is stored");
        fetched.Should().OnlyContain(name => name.StartsWith("otlp-http-", StringComparison.Ordinal)
                                             || name.StartsWith("otlp-grpc-", StringComparison.Ordinal)
                                             || name.StartsWith("sdk-", StringComparison.Ordinal));
    }

    private async Task HttpLoopAsync(S3ServerInstance server, Sender sender, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = server.OtlpHttp, Timeout = TimeSpan.FromSeconds(30) };
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var phase = _phase;
            var name = $"otlp-http-{n}";
            using var content = new ByteArrayContent(Request(name).ToByteArray());
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
            using var response = await client.PostAsync("/v1/traces", content, CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                sender.Ack(name, phase);
            }
            else
            {
                await ShouldBeUnavailableAsync(response, json: false);
                sender.Fail(phase);
            }
            await Pause(cancellationToken);
        }
    }

    private async Task GrpcLoopAsync(S3ServerInstance server, Sender sender, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(server.OtlpGrpc);
        var client = new TraceService.TraceServiceClient(channel);
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var phase = _phase;
            var name = $"otlp-grpc-{n}";
            try
            {
                await client.ExportAsync(Request(name), deadline: DateTime.UtcNow.AddSeconds(30));
                sender.Ack(name, phase);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable)
            {
                sender.Fail(phase);
            }
            await Pause(cancellationToken);
        }
    }

    /// <summary>The SDK's own exporter, called directly so that each Export's result is known.</summary>
    private void SdkLoop(S3ServerInstance server, Sender sender, CancellationToken cancellationToken)
    {
        using var source = new ActivitySource("oteleport.outage.sdk");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var exporter = new OtlpTraceExporter(new OtlpExporterOptions
        {
            Protocol = OtlpExportProtocol.HttpProtobuf,
            Endpoint = new Uri(server.OtlpHttp, "/v1/traces"),
            TimeoutMilliseconds = 3000,
        });
        for (var n = 0; !cancellationToken.IsCancellationRequested; n++)
        {
            var phase = _phase;
            var name = $"sdk-{n}";
            using var activity = source.StartActivity(name, ActivityKind.Producer)!;
            activity.Stop();
            if (exporter.Export(new Batch<Activity>([activity], 1)) == ExportResult.Success)
            {
                sender.Ack(name, phase);
            }
            else
            {
                sender.Fail(phase);
            }
            Pause(cancellationToken).GetAwaiter().GetResult();
        }
    }

    private static ExportTraceServiceRequest Request(string name)
    {
        var data = TestSignals.Spans(1, DateTimeOffset.UtcNow, TimeSpan.Zero, services: 1);
        TestSignals.AllSpans(data.ResourceSpans).Single().Name = name;
        return new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } };
    }

    private static async Task Pause(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(20, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The OTLP specification's retryable answer: 503, Retry-After, a google.rpc.Status with UNAVAILABLE.</summary>
    private static async Task ShouldBeUnavailableAsync(HttpResponseMessage response, bool json)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Headers.RetryAfter.Should().NotBeNull();
        response.Headers.RetryAfter!.Delta.Should().BePositive();
        response.Content.Headers.ContentType!.MediaType.Should().Be(json ? "application/json" : "application/x-protobuf");
        var status = json ? OtlpJson.Parse<Oteleport.Proto.Rpc.Status>(body) : Oteleport.Proto.Rpc.Status.Parser.ParseFrom(body);
        status.Code.Should().Be(14, "UNAVAILABLE");
        status.Message.Should().NotBeNullOrEmpty().And.NotContain("Exception");
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Sender[] senders, Task[] loops)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (loops.FirstOrDefault(l => l.IsFaulted) is { } faulted)
            {
                await faulted; // a sender saw something other than success or a retryable failure
            }
            if (watch.Elapsed > PhaseTimeout)
            {
                Assert.Fail($"not within {PhaseTimeout.TotalSeconds} s: {what}; {string.Join("; ", senders.Select(s => s.ToString()))}");
            }
            await Task.Delay(50);
        }
        TestContext.Out.WriteLine($"{what} after {watch.ElapsedMilliseconds} ms");
    }
}
