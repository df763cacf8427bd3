namespace Oteleport.Hosting.Lambda.RuntimeApi;

/// <summary>One event handed out by <c>GET /runtime/invocation/next</c>, with the headers that describe it.</summary>
/// <param name="RequestId">Lambda-Runtime-Aws-Request-Id: names the invocation in the response or error that answers it.</param>
/// <param name="Deadline">Lambda-Runtime-Deadline-Ms as a time; null when the header is absent or not a number.</param>
/// <param name="InvokedFunctionArn">Lambda-Runtime-Invoked-Function-Arn.</param>
/// <param name="TraceId">Lambda-Runtime-Trace-Id (the X-Ray tracing header), if any.</param>
/// <param name="Payload">The event document, as sent.</param>
internal sealed record Invocation(
    string RequestId,
    DateTimeOffset? Deadline,
    string? InvokedFunctionArn,
    string? TraceId,
    byte[] Payload);
