using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Oteleport.Hosting.AspNetCore.Http;

/// <summary>A client or server condition with its HTTP status and gRPC code, answered as a google.rpc.Status body.</summary>
internal sealed class ProtocolException(int httpStatus, StatusCode grpcCode, string message) : Exception(message)
{
    public int HttpStatus { get; } = httpStatus;
    public StatusCode GrpcCode { get; } = grpcCode;

    public static ProtocolException BadRequest(string message) => new(StatusCodes.Status400BadRequest, StatusCode.InvalidArgument, message);
    public static ProtocolException Unauthenticated(string message) => new(StatusCodes.Status401Unauthorized, StatusCode.Unauthenticated, message);
    public static ProtocolException PermissionDenied(string message) => new(StatusCodes.Status403Forbidden, StatusCode.PermissionDenied, message);
    public static ProtocolException MethodNotAllowed(string method) => new(StatusCodes.Status405MethodNotAllowed, StatusCode.Unimplemented, $"method {method} is not allowed: use POST");
    public static ProtocolException TooLarge(string message) => new(StatusCodes.Status413PayloadTooLarge, StatusCode.ResourceExhausted, message);
    public static ProtocolException UnsupportedMediaType(string message) => new(StatusCodes.Status415UnsupportedMediaType, StatusCode.InvalidArgument, message);
    public static ProtocolException Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, StatusCode.Unavailable, message);
}

internal static class ProtocolErrors
{
    /// <summary>Seconds a sender should wait before retrying after a storage failure.</summary>
    public const int RetryAfterSeconds = 5;

    public static async Task WriteAsync(HttpContext context, ProtocolException error, WireFormat format)
    {
        var response = context.Response;
        response.StatusCode = error.HttpStatus;
        if (error.HttpStatus == StatusCodes.Status405MethodNotAllowed)
        {
            response.Headers.Allow = "POST";
        }
        if (error.HttpStatus == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        var status = new Oteleport.Proto.Rpc.Status { Code = (int)error.GrpcCode, Message = error.Message };
        response.ContentType = format.MediaType;
        await response.Body.WriteAsync(format.Encode(status), context.RequestAborted).ConfigureAwait(false);
    }
}
