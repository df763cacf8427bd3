using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Oteleport.Hosting.Lambda.FunctionUrl;
using Oteleport.Hosting.Lambda.RuntimeApi;

namespace Oteleport.Hosting.Lambda.Server;

/// <summary>What one invocation came to, as it is reported to the runtime API.</summary>
/// <param name="Response">The Function URL answer, when the app produced one.</param>
/// <param name="Error">The invocation error, when it did not.</param>
/// <param name="StatusCode">The HTTP status of the answer; 0 with an error.</param>
internal sealed record InvocationOutcome(byte[]? Response, RuntimeError? Error, int StatusCode);

/// <summary>
/// Runs one Function URL event through the app's pipeline (<see cref="IHttpApplication{TContext}"/>)
/// and turns what the app wrote into the payload 2.0 answer.
/// </summary>
internal sealed partial class InvocationHandler<TContext>(
    IHttpApplication<TContext> application,
    LambdaHostingOptions options,
    TimeProvider time,
    ILogger logger)
    where TContext : notnull
{
    /// <summary>The largest answer a synchronous invocation may return (Lambda's 6 MB payload limit).</summary>
    internal const int MaxResponsePayloadBytes = 6 * 1024 * 1024;

    /// <summary>Processes one invocation; never throws for a failure of the app or the event.</summary>
    public async Task<InvocationOutcome> HandleAsync(Invocation invocation, CancellationToken stopping)
    {
        FunctionUrlRequest request;
        try
        {
            request = FunctionUrlRequest.Parse(invocation.Payload);
        }
        catch (FunctionUrlEventException ex)
        {
            LogInvalidEvent(logger, invocation.RequestId, ex.Message);
            return new InvocationOutcome(null, new RuntimeError(ex.Message, RuntimeError.InvalidEventType), 0);
        }

        using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        if (invocation.Deadline is { } at)
        {
            var remaining = at - time.GetUtcNow() - options.DeadlineMargin;
            deadline.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        }
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, stopping);
        using var features = new InvocationFeatures(invocation.RequestId, request, aborted.Token);

        var context = application.CreateContext(features.ToFeatureCollection());
        Exception? failure = null;
        try
        {
            await application.ProcessRequestAsync(context).ConfigureAwait(false);
            await features.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        InvocationOutcome outcome;
        if (failure is null)
        {
            outcome = Respond(invocation.RequestId, features);
        }
        else if (failure is OperationCanceledException && deadline.IsCancellationRequested)
        {
            LogDeadline(logger, invocation.RequestId, features.Method, features.Path);
            outcome = Answer(StatusCodes.Status504GatewayTimeout, "the request did not finish before the function's deadline");
        }
        else
        {
            LogUnhandled(logger, failure, invocation.RequestId, features.Method, features.Path);
            outcome = new InvocationOutcome(null, RuntimeError.From(failure), 0);
        }

        // Kestrel's order: the completion callbacks, then the context goes (request logging, activity stop).
        // Both come after the answer is built, and before the next event is fetched.
        if (await features.FireOnCompletedAsync().ConfigureAwait(false) is { } completedFailure)
        {
            LogOnCompletedFailed(logger, completedFailure, invocation.RequestId);
        }
        application.DisposeContext(context, failure);
        return outcome;
    }

    private InvocationOutcome Respond(string requestId, InvocationFeatures features)
    {
        var headers = features.ResponseHeaders;
        var response = new FunctionUrlResponse { StatusCode = features.StatusCode };
        foreach (var (name, values) in headers)
        {
            if (name.Equals(HeaderNames.SetCookie, StringComparison.OrdinalIgnoreCase))
            {
                response.Cookies = [.. values.OfType<string>()];
            }
            else
            {
                response.Headers[name] = values.ToString();
            }
        }
        (response.Body, response.IsBase64Encoded) = ResponseEncoding.Encode(features.ResponseBody, headers.ContentType, headers.ContentEncoding);
        var payload = JsonSerializer.SerializeToUtf8Bytes(response, FunctionUrlJsonContext.Default.FunctionUrlResponse);
        if (payload.Length > MaxResponsePayloadBytes)
        {
            LogTooLarge(logger, requestId, payload.Length, MaxResponsePayloadBytes);
            return Answer(StatusCodes.Status500InternalServerError,
                $"the response ({payload.Length} bytes as a Function URL answer) is larger than Lambda's limit of {MaxResponsePayloadBytes} bytes; ask for fewer records (a smaller limit)");
        }
        return new InvocationOutcome(payload, null, response.StatusCode);
    }

    /// <summary>An answer of the server's own, in the google.rpc.Status JSON shape that Oteleport's errors use.</summary>
    private static InvocationOutcome Answer(int statusCode, string message)
    {
        var code = statusCode == StatusCodes.Status504GatewayTimeout ? 4 /* DEADLINE_EXCEEDED */ : 8 /* RESOURCE_EXHAUSTED */;
        var body = new StringBuilder().Append("{\"code\":").Append(code).Append(",\"message\":")
            .Append(JsonSerializer.Serialize(message, FunctionUrlJsonContext.Default.String)).Append('}').ToString();
        var response = new FunctionUrlResponse
        {
            StatusCode = statusCode,
            Headers = { [HeaderNames.ContentType] = "application/json" },
            Body = body,
        };
        return new InvocationOutcome(JsonSerializer.SerializeToUtf8Bytes(response, FunctionUrlJsonContext.Default.FunctionUrlResponse), null, statusCode);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation {AwsRequestId}: {Reason}")]
    private static partial void LogInvalidEvent(ILogger logger, string awsRequestId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation {AwsRequestId}: {Method} {Path} was aborted at the function's deadline")]
    private static partial void LogDeadline(ILogger logger, string awsRequestId, string method, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation {AwsRequestId}: {Method} {Path} failed with an unhandled exception")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string awsRequestId, string method, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invocation {AwsRequestId}: an OnCompleted callback failed")]
    private static partial void LogOnCompletedFailed(ILogger logger, Exception exception, string awsRequestId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invocation {AwsRequestId}: the response of {Bytes} bytes exceeds the {Limit} bytes Lambda returns; answered 500")]
    private static partial void LogTooLarge(ILogger logger, string awsRequestId, int bytes, int limit);
}
