using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Testing;

namespace Oteleport.AspNetApp.Tests;

/// <summary>The sample app: its own endpoints and Oteleport under /oteleport, in one process and one pipeline.</summary>
public sealed class AspNetAppTests
{
    private const string Protobuf = "application/x-protobuf";
    private const string Json = "application/json";
    private TempFolder _folder = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public void StartApp()
    {
        _folder = new TempFolder("e2e-aspnetapp");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseSetting("TelemetryFolder", _folder.Path)
            .UseSetting("Logging:LogLevel:Default", "Warning"));
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _folder.Dispose();
    }

    private static ByteArrayContent Body(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static TracesData SpansOfScope(string scope, int count, int offset)
    {
        var data = TestSignals.Spans(count, DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromMilliseconds(10), services: 1, offset: offset);
        foreach (var s in data.ResourceSpans.SelectMany(r => r.ScopeSpans))
        {
            s.Scope.Name = scope;
        }
        return data;
    }

    private async Task<List<Span>> FetchScopeAsync(string scope)
    {
        var now = DateTimeOffset.UtcNow;
        var request = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(now.AddMinutes(-2)), EndTimeUnixNano = TestSignals.UnixNano(now.AddMinutes(2)) };
        using var response = await _client.PostAsync("/oteleport/api/traces/fetch", Body(OtlpJson.Serialize(request), Json));
        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, Encoding.UTF8.GetString(body));
        response.Content.Headers.ContentType!.MediaType.Should().Be(Json);
        var page = OtlpJson.Parse<FetchTracesDataResponse>(body);
        return page.ResourceSpans.SelectMany(r => r.ScopeSpans).Where(s => s.Scope.Name == scope).SelectMany(s => s.Spans).ToList();
    }

    [Test]
    public async Task The_apps_own_endpoints_answer()
    {
        using var home = await _client.GetAsync("/");
        using var order = await _client.GetAsync("/orders/7");

        home.StatusCode.Should().Be(HttpStatusCode.OK);
        (await home.Content.ReadAsStringAsync()).Should().StartWith("Hello from the app");
        order.StatusCode.Should().Be(HttpStatusCode.OK);
        using var json = JsonDocument.Parse(await order.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("id").GetInt32().Should().Be(7);
        json.RootElement.GetProperty("status").GetString().Should().Be("shipped");
    }

    [Test]
    public async Task Spans_posted_as_protobuf_and_json_under_oteleport_are_fetched_back()
    {
        var scope = $"app-{Guid.NewGuid():N}";
        var asProtobuf = SpansOfScope(scope, 3, offset: 0);
        var asJson = SpansOfScope(scope, 2, offset: 3);

        using var protobufResponse = await _client.PostAsync("/oteleport/v1/traces", Body(asProtobuf.ToByteArray(), Protobuf));
        using var jsonResponse = await _client.PostAsync("/oteleport/v1/traces", Body(OtlpJson.Serialize(asJson), Json));

        protobufResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        protobufResponse.Content.Headers.ContentType!.MediaType.Should().Be(Protobuf);
        jsonResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        (await jsonResponse.Content.ReadAsStringAsync()).Should().Be("{}");
        var expected = TestSignals.AllSpans(asProtobuf.ResourceSpans).Concat(TestSignals.AllSpans(asJson.ResourceSpans));
        (await FetchScopeAsync(scope)).Select(s => s.ToString()).Should().BeEquivalentTo(expected.Select(s => s.ToString()));
        Directory.EnumerateFiles(Path.Combine(_folder.Path, "traces"), "*.json.gz", SearchOption.AllDirectories)
            .Should().NotBeEmpty("the TelemetryFolder setting is the store");
    }

    [Test]
    public async Task Otlp_over_grpc_is_served_by_the_same_app()
    {
        var scope = $"app-grpc-{Guid.NewGuid():N}";
        using var channel = GrpcChannel.ForAddress(_factory.Server.BaseAddress, new GrpcChannelOptions { HttpHandler = _factory.Server.CreateHandler() });

        await new TraceService.TraceServiceClient(channel).ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { SpansOfScope(scope, 4, offset: 0).ResourceSpans } });

        (await FetchScopeAsync(scope)).Should().HaveCount(4);
    }

    [Test]
    public async Task Health_answers_under_the_prefix()
    {
        using var response = await _client.GetAsync("/oteleport/health");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"status":"ok"}""");
    }

    [TestCase("/v1/traces")]
    [TestCase("/api/traces/fetch")]
    [TestCase("/health")]
    public async Task Oteleport_is_only_under_its_prefix(string path)
    {
        // Mapped, /v1/traces and the API would answer a GET with 405, and health with 200.
        using var response = await _client.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Oteleport_errors_under_the_prefix_are_google_rpc_status()
    {
        using var response = await _client.PostAsync("/oteleport/api/traces/fetch", Body("""{ "limit": 3 }"""u8.ToArray(), Json));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("code").GetInt32().Should().Be(3);
        json.RootElement.GetProperty("message").GetString().Should().Contain("startTimeUnixNano");
    }
}
