using System.Net;
using Grpc.Core;

namespace Oteleport.Client;

/// <summary>The API answered with an error: its HTTP status and, when the body was a <c>google.rpc.Status</c>, its code and message.</summary>
public sealed class OteleportClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="requestUri">The URL that was asked.</param>
    /// <param name="httpStatus">The HTTP status code of the answer.</param>
    /// <param name="rpcCode">The <c>google.rpc.Status</c> code, or null when the body held none.</param>
    /// <param name="rpcMessage">The status message, or the body's text (or the reason phrase) when it was not a status.</param>
    public OteleportClientException(Uri requestUri, HttpStatusCode httpStatus, StatusCode? rpcCode, string rpcMessage)
        : base($"{requestUri} answered {(int)httpStatus} {httpStatus}{(rpcMessage.Length > 0 ? ": " + rpcMessage : "")}")
    {
        RequestUri = requestUri;
        HttpStatus = httpStatus;
        RpcCode = rpcCode;
        RpcMessage = rpcMessage;
    }

    /// <summary>The URL that was asked.</summary>
    public Uri RequestUri { get; }

    /// <summary>The HTTP status code, e.g. 403 for a rejected access key.</summary>
    public HttpStatusCode HttpStatus { get; }

    /// <summary>The <c>google.rpc.Status</c> code (a gRPC status code), or null when the body was not a status (e.g. a proxy's page).</summary>
    public StatusCode? RpcCode { get; }

    /// <summary>The server's message, e.g. <c>access key rejected</c>.</summary>
    public string RpcMessage { get; }
}

/// <summary>The API could not be reached: no connection, a broken connection, or no answer in time.</summary>
public sealed class OteleportConnectionException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="endpoint">The address that could not be reached.</param>
    /// <param name="reason">Why, in a few words (e.g. <c>Connection refused</c>).</param>
    /// <param name="innerException">The underlying failure.</param>
    public OteleportConnectionException(Uri endpoint, string reason, Exception? innerException)
        : base($"cannot reach {endpoint.AbsoluteUri.TrimEnd('/')}: {reason}", innerException)
    {
        Endpoint = endpoint;
        Reason = reason;
    }

    /// <summary>The address that could not be reached.</summary>
    public Uri Endpoint { get; }

    /// <summary>Why, in a few words.</summary>
    public string Reason { get; }
}
