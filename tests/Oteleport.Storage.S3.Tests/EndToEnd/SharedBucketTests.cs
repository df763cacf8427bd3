using System.Net.Http.Headers;
using Google.Protobuf;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// Two standalone servers on one bucket with the same cursor key (a scaled-out deployment): both ingest at
/// once, either one fetches everything both stored, and a cursor of one continues on the other.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SharedBucketTests
{
    [Test]
    public async Task Two_servers_on_one_bucket_both_ingest_and_either_fetches_everything()
    {
        var s3 = S3rverFixture.Server;
        var bucket = await s3.CreateBucketAsync();
        var cursorKey = $"--Oteleport:Storage:CursorEncryptionKey={S3ServerInstance.NewCursorKey()}";
        await using var a = await S3ServerInstance.StartAsync(s3, bucket, "shared/", cursorKey);
        await using var b = await S3ServerInstance.StartAsync(s3, bucket, "shared/", cursorKey);
        var first = DateTimeOffset.UtcNow.AddMinutes(-1);

        // Thirty Exports to each server at the same time: OTLP/HTTP to one, OTLP gRPC to the other.
        using var http = new HttpClient { BaseAddress = a.OtlpHttp };
        using var channel = GrpcChannel.ForAddress(b.OtlpGrpc);
        var grpc = new TraceService.TraceServiceClient(channel);
        var sends = Enumerable.Range(0, 60).Select(async i =>
        {
            var data = TestSignals.Spans(10, first, TimeSpan.FromMilliseconds(100), offset: i * 10);
            if (i % 2 == 0)
            {
                using var content = new ByteArrayContent(data.ToByteArray());
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
                using var response = await http.PostAsync("/v1/traces", content);
                response.EnsureSuccessStatusCode();
            }
            else
            {
                await grpc.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } });
            }
        });
        await Task.WhenAll(sends);

        var start = S3ServerInstance.Nanos(first.AddMinutes(-1));
        var end = S3ServerInstance.Nanos(DateTimeOffset.UtcNow.AddMinutes(1));
        var expected = Enumerable.Range(0, 600).Select(n => $"span-{n}").ToList();
        var fromA = (await a.FetchAllSpansAsync(start, end, limit: 37)).Select(s => s.Name).ToList();
        var fromB = (await b.FetchAllSpansAsync(start, end, limit: 37)).Select(s => s.Name).ToList();
        fromA.Should().BeEquivalentTo(expected, "server A reads what both stored, nothing twice");
        fromB.Should().Equal(fromA, "both walk the same objects in the same order");

        // A cursor of A is good on B.
        var page = await a.FetchPageAsync<FetchTracesDataResponse>("traces", start, end, limit: 100);
        var next = await b.FetchPageAsync<FetchTracesDataResponse>("traces", start, end, limit: 100, cursor: page.NextCursor);
        TestSignals.AllSpans(next.ResourceSpans).Select(s => s.Name).Should().Equal(fromA.Skip(100).Take(100));
    }
}
