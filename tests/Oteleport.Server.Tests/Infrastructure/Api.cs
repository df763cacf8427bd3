using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>The two encodings of OTLP/HTTP and the REST API.</summary>
public enum Wire
{
    Json,
    Protobuf,
}

/// <summary>Plain HTTP calls to a server: OTLP/HTTP posts and REST API fetches, checked for the success status.</summary>
internal static class Api
{
    public const string JsonType = "application/json";
    public const string ProtobufType = "application/x-protobuf";

    public static string MediaType(this Wire encoding) => encoding == Wire.Json ? JsonType : ProtobufType;

    public static byte[] Encode(this Wire encoding, IMessage message) =>
        encoding == Wire.Json ? OtlpJson.Serialize(message) : message.ToByteArray();

    public static T Decode<T>(this Wire encoding, byte[] body) where T : IMessage<T>, new()
    {
        if (encoding == Wire.Json)
        {
            // As deep as a stored record may be (protobuf's 100 levels), which is deeper than a request may be.
            var reader = new System.Text.Json.Utf8JsonReader(body, new System.Text.Json.JsonReaderOptions { MaxDepth = 256 });
            return OtlpJson.Parse<T>(ref reader);
        }
        var message = new T();
        message.MergeFrom(body);
        return message;
    }

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }

    /// <summary>POSTs a body with a content type and optional headers; the caller checks the answer.</summary>
    public static async Task<HttpResponseMessage> PostAsync(
        this HttpClient http, Uri url, byte[] body, string? contentType, string? accept = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, bool gzip = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(gzip ? Gzip(body) : body) };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        return await http.SendAsync(request).ConfigureAwait(false);
    }

    /// <summary>Sends a document to <c>/v1/{signal}</c> and expects 200.</summary>
    public static async Task ExportAsync(this ServerInstance server, IMessage data, Wire encoding = Wire.Protobuf, params KeyValuePair<string, string>[] headers)
    {
        var path = data switch
        {
            TracesData => "/v1/traces",
            MetricsData => "/v1/metrics",
            LogsData => "/v1/logs",
            _ => throw new ArgumentException($"not a signal document: {data.Descriptor.Name}", nameof(data)),
        };
        using var response = await server.Http.PostAsync(server.Otlp(path), encoding.Encode(data), encoding.MediaType(), headers: headers).ConfigureAwait(false);
        await ExpectOkAsync(response).ConfigureAwait(false);
    }

    public static Task<FetchTracesDataResponse> FetchTracesAsync(this ServerInstance server, FetchTracesDataRequest request, Wire encoding = Wire.Json, params KeyValuePair<string, string>[] headers) =>
        server.FetchAsync<FetchTracesDataResponse>("/api/traces/fetch", request, encoding, headers);

    public static Task<FetchMetricsDataResponse> FetchMetricsAsync(this ServerInstance server, FetchMetricsDataRequest request, Wire encoding = Wire.Json, params KeyValuePair<string, string>[] headers) =>
        server.FetchAsync<FetchMetricsDataResponse>("/api/metrics/fetch", request, encoding, headers);

    public static Task<FetchLogsDataResponse> FetchLogsAsync(this ServerInstance server, FetchLogsDataRequest request, Wire encoding = Wire.Json, params KeyValuePair<string, string>[] headers) =>
        server.FetchAsync<FetchLogsDataResponse>("/api/logs/fetch", request, encoding, headers);

    /// <summary>A REST fetch in one encoding (request and response), expecting 200 and the same content type back.</summary>
    public static async Task<T> FetchAsync<T>(this ServerInstance server, string path, IMessage request, Wire encoding, params KeyValuePair<string, string>[] headers)
        where T : IMessage<T>, new()
    {
        using var response = await server.Http.PostAsync(server.Api(path), encoding.Encode(request), encoding.MediaType(), headers: headers).ConfigureAwait(false);
        var body = await ExpectOkAsync(response).ConfigureAwait(false);
        response.Content.Headers.ContentType?.MediaType.Should().Be(encoding.MediaType());
        return encoding.Decode<T>(body);
    }

    /// <summary>Every page of a traces fetch, following the cursor; checks each page's size against the limit.</summary>
    public static async Task<List<FetchTracesDataResponse>> FetchAllTracePagesAsync(this ServerInstance server, ulong start, ulong end, long limit, Wire encoding = Wire.Json)
    {
        var pages = new List<FetchTracesDataResponse>();
        var cursor = "";
        do
        {
            var page = await server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = limit, Cursor = cursor }, encoding).ConfigureAwait(false);
            pages.Add(page);
            page.HasMore.Should().Be(page.NextCursor.Length > 0, "hasMore and nextCursor agree");
            cursor = page.NextCursor;
            pages.Count.Should().BeLessThan(10_000, "paging ends");
        }
        while (cursor.Length > 0);
        return pages;
    }

    public static async Task<byte[]> ExpectOkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        response.StatusCode.Should().Be(HttpStatusCode.OK, "the body was: {0}", System.Text.Encoding.UTF8.GetString(body));
        return body;
    }

    /// <summary>The google.rpc.Status of an error answer, in JSON.</summary>
    public static async Task<Oteleport.Proto.Rpc.Status> ReadJsonStatusAsync(HttpResponseMessage response)
    {
        response.Content.Headers.ContentType?.MediaType.Should().Be(JsonType);
        var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        using var document = System.Text.Json.JsonDocument.Parse(body);
        // The wire shape itself, not only what our own codec reads back.
        document.RootElement.GetProperty("code").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Number);
        document.RootElement.GetProperty("message").ValueKind.Should().Be(System.Text.Json.JsonValueKind.String);
        return OtlpJson.Parse<Oteleport.Proto.Rpc.Status>(body);
    }
}
