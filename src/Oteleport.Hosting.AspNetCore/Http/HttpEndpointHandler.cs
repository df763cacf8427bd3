using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Oteleport.Hosting.AspNetCore.Security;
using Oteleport.Otlp.Json;
using Oteleport.Query;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore.Http;

/// <summary>
/// What every Oteleport HTTP endpoint does around its own work: POST only, the access key, the content
/// type, and turning failures into google.rpc.Status answers (never a 500 with a stack trace for a client's mistake).
/// </summary>
internal static partial class HttpEndpointHandler
{
    public delegate Task<Google.Protobuf.IMessage> Work(ReadOnlyMemory<byte> body, WireFormat format, CancellationToken cancellationToken);

    /// <summary>
    /// A POST endpoint: access key, content type, body within the size limit, then the work.
    /// <paramref name="negotiate"/>: whether Accept chooses the response format (the REST API). OTLP/HTTP
    /// answers in the request's own Content-Type whatever Accept says, as the OTLP specification requires.
    /// </summary>
    public static Task HandleAsync(HttpContext context, AccessKeyValidator accessKeys, long maxRequestBytes, ILogger logger, bool negotiate, Work work)
    {
        var requestFormat = WireFormat.FromContentType(context.Request.ContentType);
        var responseFormat = negotiate ? WireFormat.ForResponse(context.Request, requestFormat) : requestFormat ?? WireFormat.Json;
        return RunAsync(context, accessKeys, responseFormat, logger, async () =>
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                throw ProtocolException.MethodNotAllowed(context.Request.Method);
            }
            if (requestFormat is null)
            {
                throw ProtocolException.UnsupportedMediaType(string.IsNullOrEmpty(context.Request.ContentType)
                    ? "no Content-Type: use application/x-protobuf or application/json"
                    : $"Content-Type '{context.Request.ContentType}' is not supported: use application/x-protobuf or application/json");
            }
            // The body lives in a pooled buffer until the work is done with it.
            using var body = await RequestBody.ReadAsync(context, maxRequestBytes).ConfigureAwait(false);
            return await work(body.WrittenMemory, requestFormat, context.RequestAborted).ConfigureAwait(false);
        });
    }

    /// <summary>A GET endpoint: access key, then the work; the response format comes from Accept (default JSON).</summary>
    public static Task HandleGetAsync(HttpContext context, AccessKeyValidator accessKeys, ILogger logger, Func<CancellationToken, Task<Google.Protobuf.IMessage>> work) =>
        RunAsync(context, accessKeys, WireFormat.ForResponse(context.Request, null), logger, () => work(context.RequestAborted));

    private static async Task RunAsync(HttpContext context, AccessKeyValidator accessKeys, WireFormat responseFormat, ILogger logger, Func<Task<Google.Protobuf.IMessage>> work)
    {
        try
        {
            // The key comes first: a caller without one learns nothing else about the endpoint.
            switch (accessKeys.Check(context.Request.Headers[accessKeys.HeaderName]))
            {
                case AccessKeyResult.Missing:
                    throw ProtocolException.Unauthenticated($"no access key: send it in the {accessKeys.HeaderName} header");
                case AccessKeyResult.Wrong:
                    throw ProtocolException.PermissionDenied("access key rejected");
            }
            var result = await work().ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = responseFormat.MediaType;
            // Pages can be megabytes: encoded into the response's own pooled buffers, not into an array first.
            responseFormat.EncodeTo(result, context.Response.BodyWriter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, logger, context.Request.Path) is { } error && !context.Response.HasStarted)
        {
            await ProtocolErrors.WriteAsync(context, error, responseFormat).ConfigureAwait(false);
        }
    }

    /// <summary>The protocol answer for a failure, or null to let it propagate (a cancelled request).</summary>
    private static ProtocolException? Translate(Exception exception, ILogger logger, PathString path)
    {
        switch (exception)
        {
            case ProtocolException protocol:
                return protocol;
            case FetchRequestException fetch:
                return ProtocolException.BadRequest(fetch.Message);
            case OtlpJsonException json:
                return ProtocolException.BadRequest($"invalid JSON body: {json.Message}");
            case System.Text.Json.JsonException json:
                return ProtocolException.BadRequest($"invalid JSON body: {json.Message}");
            case Google.Protobuf.InvalidProtocolBufferException protobuf:
                return ProtocolException.BadRequest($"invalid protobuf body: {protobuf.Message}");
            case StorageUnavailableException storage:
                // The store has logged the failure; its message is enough here (no stack trace per request in an outage).
                LogStorageUnavailable(logger, path, storage.Message);
                return ProtocolException.Unavailable("storage is unavailable, retry later");
            case OperationCanceledException:
                return null;
            default:
                LogUnexpected(logger, exception);
                return new ProtocolException(StatusCodes.Status500InternalServerError, StatusCode.Internal, "internal error (see the server log)");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} answered 503: storage unavailable: {Reason}")]
    private static partial void LogStorageUnavailable(ILogger logger, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
