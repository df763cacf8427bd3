using System.Net;
using System.Text;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;

namespace Oteleport.Server.Tests;

/// <summary>Each listener serves its own part, as the Go server's separate listeners do; health answers everywhere.</summary>
public sealed class ListenerTests
{
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-listeners");
        _server = await ServerInstance.StartAsync(_folder.Path);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [TestCase("/v1/traces")]
    [TestCase("/v1/metrics")]
    [TestCase("/v1/logs")]
    public async Task Otlp_http_paths_are_not_served_on_the_api_port(string path)
    {
        var body = Api.Encode(Wire.Protobuf, TestSignals.Spans(1, DateTimeOffset.UtcNow, TimeSpan.Zero));

        using var onApi = await _server.Http.PostAsync(_server.Api(path), body, Api.ProtobufType);
        using var onOtlp = await _server.Http.PostAsync(_server.Otlp(path), path == "/v1/traces" ? body : [], Api.ProtobufType);

        onApi.StatusCode.Should().Be(HttpStatusCode.NotFound);
        onOtlp.StatusCode.Should().Be(HttpStatusCode.OK, "the same request is served on the OTLP port");
    }

    [TestCase("/api/traces/fetch")]
    [TestCase("/api/metrics/fetch")]
    [TestCase("/api/logs/fetch")]
    public async Task Api_paths_are_not_served_on_the_otlp_http_port(string path)
    {
        var (start, end) = Records.AroundNow();
        var body = Api.Encode(Wire.Json, new Oteleport.Proto.V1.FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });

        using var onOtlp = await _server.Http.PostAsync(_server.Otlp(path), body, Api.JsonType);
        using var onApi = await _server.Http.PostAsync(_server.Api(path), body, Api.JsonType);

        onOtlp.StatusCode.Should().Be(HttpStatusCode.NotFound);
        onApi.StatusCode.Should().Be(HttpStatusCode.OK, "the same request is served on the API port");
    }

    [Test]
    public async Task Health_answers_on_every_listener()
    {
        foreach (var url in new[] { _server.Api("/health"), _server.Otlp("/health") })
        {
            using var response = await _server.Http.GetAsync(url);
            (await Api.ExpectOkAsync(response)).Should().Equal(Encoding.UTF8.GetBytes("""{"status":"ok"}"""));
        }
        using var http2 = new HttpRequestMessage(HttpMethod.Get, new Uri(_server.GrpcUrl, "/health"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var onGrpc = await _server.Http.SendAsync(http2);
        onGrpc.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Test]
    public async Task The_grpc_port_speaks_http2_only_and_the_http_ports_http1()
    {
        // Kestrel answers an HTTP/1.x request on an HTTP/2-only endpoint with a 400 that says so.
        using var http1OnGrpc = await _server.Http.GetAsync(new Uri(_server.GrpcUrl, "/health"));
        http1OnGrpc.StatusCode.Should().Be(HttpStatusCode.BadRequest, "cleartext gRPC needs an HTTP/2-only endpoint");
        http1OnGrpc.Version.Should().Be(HttpVersion.Version11);
        (await http1OnGrpc.Content.ReadAsStringAsync()).Should().Contain("HTTP/2");

        using var http2OnApi = new HttpRequestMessage(HttpMethod.Get, _server.Api("/health"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var send = async () => await _server.Http.SendAsync(http2OnApi);
        await send.Should().ThrowAsync<HttpRequestException>();
    }
}
