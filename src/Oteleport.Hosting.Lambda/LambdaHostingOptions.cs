namespace Oteleport.Hosting.Lambda;

/// <summary>Settings of the Lambda hosting added by <c>AddOteleportLambdaHosting()</c>.</summary>
public sealed class LambdaHostingOptions
{
    /// <summary>
    /// How long before the invocation's deadline the request is aborted (<c>HttpContext.RequestAborted</c>),
    /// so that the function can still answer 504 before Lambda stops it. Default 250 ms.
    /// </summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The runtime API's host:port, from <c>AWS_LAMBDA_RUNTIME_API</c> when hosting was added; null outside Lambda.
    /// </summary>
    public string? RuntimeApi { get; internal set; }
}
