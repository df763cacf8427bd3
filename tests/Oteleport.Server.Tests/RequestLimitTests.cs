using System.Net;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;

namespace Oteleport.Server.Tests;

/// <summary><c>limits.max_request_bytes</c> on every way in: 413 over HTTP (also after gzip), RESOURCE_EXHAUSTED over gRPC.</summary>
public sealed class RequestLimitTests
{
    private const int Limit = 4096;
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-limits");
        _server = await ServerInstance.StartAsync(_folder.Path, $"--Oteleport:Limits:MaxRequestBytes={Limit}");
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static OpenTelemetry.Proto.Trace.V1.TracesData Spans(int count) =>
        TestSignals.Spans(count, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1));

    [TestCase(false)]
    [TestCase(true)]
    public async Task An_otlp_http_body_over_the_limit_is_a_413(bool gzip)
    {
        // Highly compressible: under the limit as sent with gzip, over it once decompressed.
        var data = Spans(1);
        data.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes.Add(TestSignals.Attr("padding", new string('x', 4 * Limit)));
        var body = Wire.Protobuf.Encode(data);
        body.Length.Should().BeGreaterThan(Limit);
        if (gzip)
        {
            Api.Gzip(body).Length.Should().BeLessThan(Limit, "the limit applies to the decompressed body too");
        }

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), body, Api.ProtobufType, gzip: gzip);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        var status = Oteleport.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        status.Code.Should().Be((int)StatusCode.ResourceExhausted);
        status.Message.Should().Contain(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Test]
    public async Task A_body_under_the_limit_is_stored()
    {
        var body = Wire.Protobuf.Encode(Spans(3));
        body.Length.Should().BeLessThan(Limit);

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), body, Api.ProtobufType);

        await Api.ExpectOkAsync(response);
    }

    [Test]
    public async Task A_grpc_message_over_the_limit_is_resource_exhausted()
    {
        var client = new TraceService.TraceServiceClient(_server.Channel);

        var export = async () => await client.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Spans(200).ResourceSpans } });

        (await export.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        await client.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Spans(3).ResourceSpans } });
    }

    [Test]
    public async Task A_gzip_grpc_message_under_the_limit_as_sent_but_over_it_decompressed_is_resource_exhausted()
    {
        // A gzip bomb in small: 64 KiB of one letter compresses to a few hundred bytes.
        var data = Spans(1);
        data.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes.Add(TestSignals.Attr("padding", new string('x', 16 * Limit)));
        var request = new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } };
        Api.Gzip(Google.Protobuf.MessageExtensions.ToByteArray(request)).Length.Should().BeLessThan(Limit);
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(_server.GrpcUrl, new Grpc.Net.Client.GrpcChannelOptions
        {
            CompressionProviders = [new Grpc.Net.Compression.GzipCompressionProvider(System.IO.Compression.CompressionLevel.Optimal)],
        });
        var client = new TraceService.TraceServiceClient(channel);
        // Grpc.Net.Client compresses the request message when this header names the algorithm.
        var compressed = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        var export = async () => await client.ExportAsync(request, compressed);

        var failure = (await export.Should().ThrowAsync<RpcException>()).Which;
        failure.StatusCode.Should().Be(StatusCode.ResourceExhausted);
        failure.Status.Detail.Should().Contain("limits.max_request_bytes");
        await client.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { Spans(3).ResourceSpans } }, compressed);
    }
}
