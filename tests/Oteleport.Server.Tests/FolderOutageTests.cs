using System.Net;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// The folder store fails as S3 does: a folder that cannot be written makes Exports retryable failures
/// (503 with Retry-After, UNAVAILABLE), and the same server stores again once the folder is back.
/// </summary>
public sealed class FolderOutageTests
{
    [Test]
    public async Task An_unwritable_folder_is_503_and_unavailable_and_the_server_recovers_by_itself()
    {
        using var parent = new TempFolder("e2e-folder-outage");
        var data = Path.Combine(parent.Path, "data");
        await using var server = await ServerInstance.StartAsync(data);
        var grpc = new TraceService.TraceServiceClient(server.Channel);
        var first = DateTimeOffset.UtcNow.AddSeconds(-20);
        TracesData Batch(int n) => TestSignals.Spans(2, first, TimeSpan.FromSeconds(1), offset: n * 2);
        await server.ExportAsync(Batch(0));

        // Root may write anywhere, so permissions cannot take the folder away; a file where the folder was can.
        var aside = Path.Combine(parent.Path, "data-aside");
        Directory.Move(data, aside);
        await File.WriteAllTextAsync(data, "not a folder");
        try
        {
            using var http = await server.Http.PostAsync(server.Otlp("/v1/traces"), Wire.Protobuf.Encode(Batch(1)), Api.ProtobufType);
            http.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            http.Headers.RetryAfter!.Delta.Should().BePositive();
            var status = Oteleport.Proto.Rpc.Status.Parser.ParseFrom(await http.Content.ReadAsByteArrayAsync());
            status.Code.Should().Be((int)StatusCode.Unavailable);
            status.Message.Should().NotContain(parent.Path, "the answer tells a sender to retry, not where the server keeps its data");

            var export = async () => await grpc.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Batch(2).ResourceSpans } });
            (await export.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
        }
        finally
        {
            File.Delete(data);
            Directory.Move(aside, data);
        }

        // Back: the same process stores again, as a sender's retry would.
        await server.ExportAsync(Batch(1));
        await grpc.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Batch(2).ResourceSpans } });
        var (start, end) = AroundNow();
        var page = await server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });
        TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name).Should().BeEquivalentTo(Enumerable.Range(0, 6).Select(n => $"span-{n}"));
    }
}
