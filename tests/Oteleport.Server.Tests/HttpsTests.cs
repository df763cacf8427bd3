using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// TLS through Kestrel's standard configuration (<c>Kestrel:Endpoints:{name}:Url</c> and <c>:Certificate</c>),
/// beside the server's own cleartext listeners or instead of them: OTLP/HTTP, the REST API and gRPC
/// (HTTP/2 negotiated by ALPN) all on the one TLS port, checked against a self-signed certificate made here.
/// </summary>
public sealed class HttpsTests
{
    private const string Password = "test-pfx-password";
    private TempFolder _folder = null!;
    private string _pfx = null!;
    private X509Certificate2 _certificate = null!;

    [OneTimeSetUp]
    public void MakeCertificate()
    {
        _folder = new TempFolder("e2e-https");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=oteleport-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        _pfx = Path.Combine(_folder.Path, "server.pfx");
        File.WriteAllBytes(_pfx, certificate.Export(X509ContentType.Pfx, Password));
        _certificate = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
    }

    [OneTimeTearDown]
    public void Clean()
    {
        _certificate.Dispose();
        _folder.Dispose();
    }

    private string[] KestrelHttps(int port) =>
    [
        $"--Kestrel:Endpoints:Https:Url=https://127.0.0.1:{port}",
        $"--Kestrel:Endpoints:Https:Certificate:Path={_pfx}",
        $"--Kestrel:Endpoints:Https:Certificate:Password={Password}",
    ];

    /// <summary>Trusts exactly the test's certificate (a pinned thumbprint), as a client of a self-signed server would.</summary>
    private SocketsHttpHandler PinnedHandler() => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == _certificate.Thumbprint,
        },
    };

    [Test]
    public async Task A_kestrel_https_endpoint_serves_otlp_http_the_rest_api_and_grpc_beside_the_cleartext_listeners()
    {
        var port = FreePorts.Take(1)[0];
        var data = Path.Combine(_folder.Path, "beside");
        await using var server = await ServerInstance.StartAsync(data, ServerInstance.StandardArgs(data, KestrelHttps(port)));
        await using var tls = new TlsClient(new Uri($"https://127.0.0.1:{port}"), PinnedHandler);

        await RoundTripAsync(tls, "beside");
        // The cleartext listeners still serve their own parts.
        await server.ExportAsync(TestSignals.Spans(1, DateTimeOffset.UtcNow, TimeSpan.Zero));
    }

    [Test]
    public async Task With_the_own_listeners_off_the_server_answers_only_over_tls()
    {
        var port = FreePorts.Take(1)[0];
        var data = Path.Combine(_folder.Path, "instead");
        // An empty address turns a listener off while its part stays served (on the Kestrel endpoints).
        await using var server = await ServerInstance.StartAsync(data, ports =>
        [
            $"--Oteleport:Storage:Location={data}",
            "--Oteleport:Otlp:Grpc:Address=", "--Oteleport:Otlp:Http:Address=", "--Oteleport:Api:Http:Address=",
            .. KestrelHttps(port),
        ]);
        await using var tls = new TlsClient(new Uri($"https://127.0.0.1:{port}"), PinnedHandler);

        await RoundTripAsync(tls, "instead");
        var cleartext = async () => await server.Http.GetAsync(server.Otlp("/health"));
        await cleartext.Should().ThrowAsync<HttpRequestException>("no cleartext listener is bound");
    }

    [Test]
    public async Task A_client_that_does_not_trust_the_certificate_is_refused()
    {
        var port = FreePorts.Take(1)[0];
        var data = Path.Combine(_folder.Path, "untrusted");
        await using var server = await ServerInstance.StartAsync(data, ServerInstance.StandardArgs(data, KestrelHttps(port)));
        using var http = new HttpClient();

        var call = async () => await http.GetAsync(new Uri($"https://127.0.0.1:{port}/health"));

        (await call.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<System.Security.Authentication.AuthenticationException>();
    }

    private static async Task RoundTripAsync(TlsClient tls, string scope)
    {
        var data = TestSignals.Spans(4, DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromMilliseconds(1), services: 1);
        foreach (var s in data.ResourceSpans[0].ScopeSpans)
        {
            s.Scope.Name = scope;
        }
        var spans = TestSignals.AllSpans(data.ResourceSpans);
        var viaHttp = new OpenTelemetry.Proto.Trace.V1.TracesData { ResourceSpans = { data.ResourceSpans[0].Clone() } };
        viaHttp.ResourceSpans[0].ScopeSpans[1].Spans.Clear();
        var viaGrpc = data.ResourceSpans[0].Clone();
        viaGrpc.ScopeSpans[0].Spans.Clear();

        using (var health = await tls.Http.GetAsync(new Uri(tls.BaseAddress, "/health")))
        {
            await Api.ExpectOkAsync(health);
        }
        using (var export = await tls.Http.PostAsync(new Uri(tls.BaseAddress, "/v1/traces"), Wire.Protobuf.Encode(viaHttp), Api.ProtobufType))
        {
            await Api.ExpectOkAsync(export);
        }
        await new TraceService.TraceServiceClient(tls.Channel).ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { viaGrpc } });

        var (start, end) = AroundNow();
        var request = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end };
        using var fetch = await tls.Http.PostAsync(new Uri(tls.BaseAddress, "/api/traces/fetch"), Wire.Json.Encode(request), Api.JsonType);
        var page = Wire.Json.Decode<FetchTracesDataResponse>(await Api.ExpectOkAsync(fetch));
        SpansOfScope(page.ResourceSpans, scope).Select(s => s.Name).Should().BeEquivalentTo(spans.Select(s => s.Name));
        var overGrpc = await new OterlportService.OterlportServiceClient(tls.Channel).FetchTracesDataAsync(request);
        SpansOfScope(overGrpc.ResourceSpans, scope).Should().HaveCount(spans.Count, "the fetch API over gRPC answers on TLS too");
    }

    private sealed class TlsClient : IAsyncDisposable
    {
        // A gRPC channel wants a handler of its own (it connects its subchannels itself).
        public TlsClient(Uri baseAddress, Func<SocketsHttpHandler> handler)
        {
            BaseAddress = baseAddress;
            Http = new HttpClient(handler()) { Timeout = TimeSpan.FromSeconds(30) };
            Channel = GrpcChannel.ForAddress(baseAddress, new GrpcChannelOptions { HttpHandler = handler(), DisposeHttpClient = true });
        }

        public Uri BaseAddress { get; }
        public HttpClient Http { get; }
        public GrpcChannel Channel { get; }

        public ValueTask DisposeAsync()
        {
            Channel.Dispose();
            Http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
