using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Testing;

namespace Oteleport.Hosting.AspNetCore.Tests.Http;

/// <summary>
/// Request bodies are read once into a pooled buffer and responses written straight into the response
/// pipe: every encoding in and out still works, the empty protobuf answer of an Export included.
/// </summary>
public class BodyAndResponseTests
{
    private static readonly DateTimeOffset Time = DateTimeOffset.UtcNow.AddMinutes(-5);
    private WebApplication _app = null!;
    private TempFolder _folder = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _folder = new TempFolder("http-body");
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddOteleport(o =>
        {
            o.Storage.Location = _folder.Path;
            o.Storage.FlushInterval = TimeSpan.Zero;
            o.Limits.MaxRequestBytes = 64 * 1024;
        });
        _app = builder.Build();
        _app.MapOteleport();
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _http.Dispose();
        await _app.DisposeAsync();
        _folder.Dispose();
    }

    private static ExportTraceServiceRequest Request(int count, int offset) =>
        new() { ResourceSpans = { TestSignals.Spans(count, Time, TimeSpan.FromMilliseconds(1), offset: offset).ResourceSpans } };

    private static ByteArrayContent Body(byte[] bytes, string contentType, bool gzip = false)
    {
        if (gzip)
        {
            using var output = new MemoryStream();
            using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            {
                gz.Write(bytes);
            }
            bytes = output.ToArray();
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }
        return content;
    }

    [Test]
    public async Task Exports_in_every_encoding_are_answered_and_stored()
    {
        using (var protobuf = await _http.PostAsync("/v1/traces", Body(Request(3, 0).ToByteArray(), "application/x-protobuf")))
        {
            protobuf.StatusCode.Should().Be(HttpStatusCode.OK);
            protobuf.Content.Headers.ContentType!.MediaType.Should().Be("application/x-protobuf");
            (await protobuf.Content.ReadAsByteArrayAsync()).Should().BeEmpty("an empty ExportTraceServiceResponse has no bytes");
        }
        using (var gzipped = await _http.PostAsync("/v1/traces", Body(Request(2, 100).ToByteArray(), "application/x-protobuf", gzip: true)))
        {
            gzipped.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        using (var json = await _http.PostAsync("/v1/traces", Body(Oteleport.Otlp.Json.OtlpJson.Serialize(Request(4, 200)), "application/json", gzip: true)))
        {
            json.StatusCode.Should().Be(HttpStatusCode.OK);
            (await json.Content.ReadAsStringAsync()).Should().Be("{}");
        }

        var query = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(Time.AddMinutes(-1)), EndTimeUnixNano = TestSignals.UnixNano(Time.AddMinutes(1)) };
        using var fetch = new HttpRequestMessage(HttpMethod.Post, "/api/traces/fetch") { Content = Body(query.ToByteArray(), "application/x-protobuf") };
        using var page = await _http.SendAsync(fetch);
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var response = FetchTracesDataResponse.Parser.ParseFrom(await page.Content.ReadAsByteArrayAsync());
        TestSignals.AllSpans(response.ResourceSpans).Should().HaveCount(9);

        var jsonQuery = $$"""{"startTimeUnixNano":"{{query.StartTimeUnixNano}}","endTimeUnixNano":"{{query.EndTimeUnixNano}}","limit":5}""";
        using var jsonPage = await _http.PostAsync("/api/traces/fetch", Body(Encoding.UTF8.GetBytes(jsonQuery), "application/json"));
        var parsed = Oteleport.Otlp.Json.OtlpJson.Parse<FetchTracesDataResponse>(await jsonPage.Content.ReadAsByteArrayAsync());
        TestSignals.AllSpans(parsed.ResourceSpans).Should().HaveCount(5);
        parsed.HasMore.Should().BeTrue();
    }

    [Test]
    public async Task Bodies_over_the_limit_are_refused_with_or_without_a_length()
    {
        var large = new byte[70 * 1024];
        using (var sized = await _http.PostAsync("/v1/traces", Body(large, "application/x-protobuf")))
        {
            sized.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        }
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/traces")
        {
            Content = new StreamContent(new MemoryStream(large)) { Headers = { ContentType = new MediaTypeHeaderValue("application/x-protobuf") } },
        };
        chunked.Headers.TransferEncodingChunked = true;
        using (var response = await _http.SendAsync(chunked))
        {
            response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        }
        // Small when sent, too large once decompressed.
        using var bomb = await _http.PostAsync("/v1/traces", Body(large, "application/x-protobuf", gzip: true));
        bomb.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }
}
