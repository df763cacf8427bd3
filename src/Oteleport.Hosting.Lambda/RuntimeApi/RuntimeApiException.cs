using System.Net;

namespace Oteleport.Hosting.Lambda.RuntimeApi;

/// <summary>The runtime API answered a call with a status other than the documented success.</summary>
internal sealed class RuntimeApiException(string operation, HttpStatusCode statusCode, string detail)
    : Exception($"Lambda runtime API {operation} answered {(int)statusCode} {statusCode}: {detail}")
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    /// <summary>
    /// The documented "container error": the execution environment is in a state the runtime cannot
    /// recover from, and the runtime should exit.
    /// </summary>
    public bool IsFatal => StatusCode == HttpStatusCode.InternalServerError;
}
