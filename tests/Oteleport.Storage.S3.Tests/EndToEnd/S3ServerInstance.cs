using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Server;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// The standalone server (<see cref="OteleportServer.Build"/>) running in this process on free loopback
/// ports, storing in an s3rver bucket, configured only through command-line arguments as a user would.
/// </summary>
internal sealed class S3ServerInstance : IAsyncDisposable
{
    private S3ServerInstance(WebApplication app, int grpcPort, int httpPort, int apiPort)
    {
        App = app;
        OtlpGrpc = new Uri($"http://127.0.0.1:{grpcPort}");
        OtlpHttp = new Uri($"http://127.0.0.1:{httpPort}");
        Api = new Uri($"http://127.0.0.1:{apiPort}");
        Http = new HttpClient { BaseAddress = Api, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    /// <summary>OTLP over gRPC, <c>http://127.0.0.1:port</c>.</summary>
    public Uri OtlpGrpc { get; }

    /// <summary>OTLP/HTTP, <c>http://127.0.0.1:port</c> (append <c>/v1/traces</c> ...).</summary>
    public Uri OtlpHttp { get; }

    /// <summary>The REST API, <c>http://127.0.0.1:port</c>.</summary>
    public Uri Api { get; }

    /// <summary>A client of the REST API.</summary>
    public HttpClient Http { get; }

    /// <summary>A fresh cursor key, base64 of 32 random bytes, as <c>openssl rand -base64 32</c> makes.</summary>
    public static string NewCursorKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The command line of a server storing in <paramref name="location"/> on <paramref name="s3"/>'s
    /// endpoint (or <paramref name="endpoint"/>), listening on the given ports.
    /// </summary>
    public static string[] Arguments(S3rverServer s3, string location, int grpcPort, int httpPort, int apiPort, string? endpoint = null) =>
    [
        $"--Oteleport:Storage:Location={location}",
        $"--Oteleport:Storage:Aws:Endpoint={endpoint ?? s3.Endpoint.ToString().TrimEnd('/')}",
        "--Oteleport:Storage:Aws:UseS3PathStyle=true",
        "--Oteleport:Storage:Aws:Region=us-east-1",
        $"--Oteleport:Storage:Aws:Credentials:AccessKeyId={S3rverServer.AccessKeyId}",
        $"--Oteleport:Storage:Aws:Credentials:SecretAccessKey={S3rverServer.SecretAccessKey}",
        "--Oteleport:Storage:Aws:Checksum=when_required",
        "--Oteleport:Storage:Aws:ChunkedUpload=false",
        $"--Oteleport:Storage:CursorEncryptionKey={NewCursorKey()}",
        $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{grpcPort}",
        $"--Oteleport:Otlp:Http:Address=127.0.0.1:{httpPort}",
        $"--Oteleport:Api:Http:Address=127.0.0.1:{apiPort}",
        // Warnings and errors still show in the test output; the per-request information does not.
        "--Logging:LogLevel:Default=Warning",
    ];

    /// <summary>Starts a server on <c>s3://{bucket}/{prefix}</c>; a port taken meanwhile by someone else is tried again.</summary>
    public static async Task<S3ServerInstance> StartAsync(S3rverServer s3, string bucket, string prefix = "otel/", params string[] extra)
    {
        for (var attempt = 1; ; attempt++)
        {
            var (grpc, http, api) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
            if (grpc == http || http == api || grpc == api)
            {
                continue;
            }
            string[] args = [.. Arguments(s3, $"s3://{bucket}/{prefix}", grpc, http, api), .. extra];
            var app = OteleportServer.Build(args);
            try
            {
                await app.StartAsync();
                return new S3ServerInstance(app, grpc, http, api);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    // ---- the REST API ----

    /// <summary>One page of <c>POST /api/{signal}/fetch</c> in JSON; a non-200 answer fails the test with its body.</summary>
    public async Task<T> FetchPageAsync<T>(string signal, ulong start, ulong end, long limit = 0, string cursor = "")
        where T : IMessage<T>, new()
    {
        using var response = await PostFetchAsync(signal, start, end, limit, cursor);
        var body = await response.Content.ReadAsByteArrayAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, "fetch answered {0}", System.Text.Encoding.UTF8.GetString(body));
        return OtlpJson.Parse<T>(body);
    }

    /// <summary>Sends a JSON fetch request as the seed's curl example does and returns the raw answer.</summary>
    public Task<HttpResponseMessage> PostFetchAsync(string signal, ulong start, ulong end, long limit = 0, string cursor = "")
    {
        var json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"startTimeUnixNano\":{start},\"endTimeUnixNano\":{end},\"limit\":{limit},\"cursor\":\"{cursor}\"}}");
        var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Http.PostAsync($"/api/{signal}/fetch", content);
    }

    /// <summary>Every span of the range, walked page by page with <paramref name="limit"/>.</summary>
    public async Task<List<Span>> FetchAllSpansAsync(ulong start, ulong end, long limit = 0)
    {
        var spans = new List<Span>();
        var cursor = "";
        for (var page = 0; page < 100_000; page++)
        {
            var response = await FetchPageAsync<FetchTracesDataResponse>("traces", start, end, limit, cursor);
            spans.AddRange(TestSignals.AllSpans(response.ResourceSpans));
            if (!response.HasMore)
            {
                return spans;
            }
            response.NextCursor.Should().NotBeEmpty();
            cursor = response.NextCursor;
        }
        throw new AssertionException("the walk did not end");
    }

    /// <summary>Every resource of the range's metrics, walked page by page.</summary>
    public async Task<List<ResourceMetrics>> FetchAllMetricsAsync(ulong start, ulong end, long limit = 0)
    {
        var resources = new List<ResourceMetrics>();
        var cursor = "";
        while (true)
        {
            var response = await FetchPageAsync<FetchMetricsDataResponse>("metrics", start, end, limit, cursor);
            resources.AddRange(response.ResourceMetrics);
            if (!response.HasMore)
            {
                return resources;
            }
            cursor = response.NextCursor;
        }
    }

    /// <summary>Every log record of the range, walked page by page.</summary>
    public async Task<List<LogRecord>> FetchAllLogsAsync(ulong start, ulong end, long limit = 0)
    {
        var records = new List<LogRecord>();
        var cursor = "";
        while (true)
        {
            var response = await FetchPageAsync<FetchLogsDataResponse>("logs", start, end, limit, cursor);
            records.AddRange(response.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords));
            if (!response.HasMore)
            {
                return records;
            }
            cursor = response.NextCursor;
        }
    }

    /// <summary>Unix nanoseconds of a time.</summary>
    public static ulong Nanos(DateTimeOffset time) => TestSignals.UnixNano(time);
}
