using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Signals;
using RpcStatus = Oteleport.Proto.Rpc.Status;

namespace Oteleport.Cli.Replay;

/// <summary>OTLP/HTTP: <c>POST</c> of the request as binary protobuf or OTLP JSON, optionally gzip.</summary>
internal sealed class HttpOtlpExporter : OtlpExporter
{
    private readonly HttpClient _http;

    public HttpOtlpExporter(SignalType signal, OtlpExportSettings settings, RetryPolicy retry)
        : base(signal, settings, retry)
    {
        // The per-request timeout comes from the settings; HttpClient's own would only get in the way.
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = settings.Timeout }) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private bool Json => Settings.Protocol == OtlpProtocol.HttpJson;

    protected override async Task<ExportOutcome> SendOnceAsync(IMessage request, CancellationToken cancellationToken)
    {
        var body = Json ? OtlpJson.Serialize(request) : request.ToByteArray();
        if (Settings.Gzip)
        {
            body = Compress(body);
        }
        using var message = new HttpRequestMessage(HttpMethod.Post, Settings.Endpoint) { Content = new ByteArrayContent(body) };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(Json ? "application/json" : "application/x-protobuf");
        if (Settings.Gzip)
        {
            message.Content.Headers.ContentEncoding.Add("gzip");
        }
        foreach (var (name, value) in Settings.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Settings.Timeout);
        HttpResponseMessage response;
        byte[] responseBody;
        try
        {
            response = await _http.SendAsync(message, timeout.Token).ConfigureAwait(false);
            responseBody = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RetryableExportException($"no answer within {Settings.Timeout.TotalMilliseconds:0} ms", null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new RetryableExportException(Innermost(ex), null, ex);
        }

        using (response)
        {
            var json = response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.OrdinalIgnoreCase) ?? Json;
            if (response.IsSuccessStatusCode)
            {
                return Outcome(ParseResponse(responseBody, json));
            }
            var reason = $"{(int)response.StatusCode} {response.StatusCode}{Detail(responseBody, json)}";
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                throw new RetryableExportException(reason, RetryAfter(response));
            }
            throw new OtlpExportException(reason);
        }
    }

    private IMessage? ParseResponse(byte[] body, bool json)
    {
        if (body.Length == 0)
        {
            return null;
        }
        try
        {
            return (Signal, json) switch
            {
                (SignalType.Traces, true) => OtlpJson.Parse<ExportTraceServiceResponse>(body),
                (SignalType.Traces, false) => ExportTraceServiceResponse.Parser.ParseFrom(body),
                (SignalType.Metrics, true) => OtlpJson.Parse<ExportMetricsServiceResponse>(body),
                (SignalType.Metrics, false) => ExportMetricsServiceResponse.Parser.ParseFrom(body),
                (_, true) => OtlpJson.Parse<ExportLogsServiceResponse>(body),
                _ => ExportLogsServiceResponse.Parser.ParseFrom(body),
            };
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or OtlpJsonException)
        {
            return null; // a success with a body we cannot read: nothing was said to be rejected
        }
    }

    private static string Detail(byte[] body, bool json)
    {
        if (body.Length == 0)
        {
            return "";
        }
        try
        {
            var status = json ? OtlpJson.Parse<RpcStatus>(body) : RpcStatus.Parser.ParseFrom(body);
            if (status.Message.Length > 0)
            {
                return ": " + status.Message;
            }
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or OtlpJsonException)
        {
            // not a status
        }
        return "";
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - Retry.Time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private static byte[] Compress(byte[] body)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(body);
        }
        return output.ToArray();
    }

    private static string Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
        {
            ex = ex.InnerException;
        }
        return ex.Message;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
