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

    public static async Task HandleAsync(HttpContext context, AccessKeyValidator accessKeys, long maxRequestBytes, ILogger logger, Work work)
    {
        var requestFormat = WireFormat.FromContentType(context.Request.ContentType);
        var responseFormat = WireFormat.ForResponse(context.Request, requestFormat);
        try
        {
            if (!HttpMethods.IsPost(context.Request.Method))
            {
                throw ProtocolException.MethodNotAllowed(context.Request.Method);
            }
            switch (accessKeys.Check(context.Request.Headers[accessKeys.HeaderName]))
            {
                case AccessKeyResult.Missing:
                    throw ProtocolException.Unauthenticated($"no access key: send it in the {accessKeys.HeaderName} header");
                case AccessKeyResult.Wrong:
                    throw ProtocolException.PermissionDenied("access key rejected");
            }
            if (requestFormat is null)
            {
                throw ProtocolException.UnsupportedMediaType(
                    $"Content-Type '{context.Request.ContentType}' is not supported: use application/x-protobuf or application/json");
            }
            Google.Protobuf.IMessage result;
            using (var body = await RequestBody.ReadAsync(context, maxRequestBytes).ConfigureAwait(false))
            {
                result = await work(body.WrittenMemory, requestFormat, context.RequestAborted).ConfigureAwait(false);
            }
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = responseFormat.MediaType;
            // Pages can be megabytes: encoded into the response's own pooled buffers, not into an array first.
            responseFormat.EncodeTo(result, context.Response.BodyWriter);
            await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, logger) is { } error && !context.Response.HasStarted)
        {
            await ProtocolErrors.WriteAsync(context, error, responseFormat).ConfigureAwait(false);
        }
    }

    /// <summary>The protocol answer for a failure, or null to let it propagate (a cancelled request).</summary>
    private static ProtocolException? Translate(Exception exception, ILogger logger)
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
                LogStorageUnavailable(logger, storage);
                return ProtocolException.Unavailable("storage is unavailable, retry later");
            case OperationCanceledException:
                return null;
            default:
                LogUnexpected(logger, exception);
                return new ProtocolException(StatusCodes.Status500InternalServerError, StatusCode.Internal, "internal error (see the server log)");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable")]
    private static partial void LogStorageUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
