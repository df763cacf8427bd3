using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Oteleport.Testing.Lambda;

/// <summary>
/// A stand-in for the runtime API that Lambda serves inside an execution environment (version
/// 2018-06-01), on Kestrel at 127.0.0.1 and a free port: events queued by <see cref="InvokeAsync"/> are
/// handed out one by one on <c>GET /runtime/invocation/next</c> with the documented headers, and the
/// function's <c>/response</c>, <c>/error</c> and <c>/init/error</c> posts are captured.
/// </summary>
public sealed class LambdaRuntimeApiServer : IAsyncDisposable
{
    /// <summary>Lambda's limit on a synchronous response (the runtime API answers 413 above it).</summary>
    public const int MaxResponseBytes = 6_291_556;

    private const string Prefix = "/2018-06-01/runtime";
    private readonly WebApplication _app;
    private readonly Channel<PendingInvocation> _queue = Channel.CreateUnbounded<PendingInvocation>();
    private readonly ConcurrentDictionary<string, PendingInvocation> _handedOut = new();
    private readonly ConcurrentQueue<LambdaErrorReport> _initErrors = new();
    private readonly TaskCompletionSource _firstNext = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _nextRequests;

    private LambdaRuntimeApiServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    /// <summary>The port.</summary>
    public int Port { get; }

    /// <summary>What <c>AWS_LAMBDA_RUNTIME_API</c> holds: host:port.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The init errors posted so far.</summary>
    public IReadOnlyCollection<LambdaErrorReport> InitErrors => _initErrors.ToArray();

    /// <summary>How many next-invocation requests have arrived.</summary>
    public int NextRequests => Volatile.Read(ref _nextRequests);

    /// <summary>Completes when the function first asks for an event (its initialisation is over).</summary>
    public Task FirstNextRequest => _firstNext.Task;

    /// <summary>Starts the server on a free loopback port.</summary>
    public static async Task<LambdaRuntimeApiServer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, port);
            kestrel.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        var server = new LambdaRuntimeApiServer(app, port);
        app.MapGet($"{Prefix}/invocation/next", server.NextAsync);
        app.MapPost($"{Prefix}/invocation/{{id}}/response", (HttpContext context, string id) => server.CompleteAsync(context, id, isError: false));
        app.MapPost($"{Prefix}/invocation/{{id}}/error", (HttpContext context, string id) => server.CompleteAsync(context, id, isError: true));
        app.MapPost($"{Prefix}/init/error", server.InitErrorAsync);
        await app.StartAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>
    /// Queues an event and waits until the function answers it with a response or an error.
    /// </summary>
    /// <param name="payload">The event document.</param>
    /// <param name="deadline">The function's time for this event (Lambda-Runtime-Deadline-Ms); default 30 s.</param>
    /// <param name="traceId">Lambda-Runtime-Trace-Id; default a fresh X-Ray header.</param>
    /// <param name="wait">How long to wait for the answer; default 60 s.</param>
    public async Task<LambdaInvocationResult> InvokeAsync(byte[] payload, TimeSpan? deadline = null, string? traceId = null, TimeSpan? wait = null)
    {
        var pending = new PendingInvocation(
            Guid.NewGuid().ToString(),
            payload,
            deadline ?? TimeSpan.FromSeconds(30),
            traceId ?? $"Root=1-{DateTimeOffset.UtcNow.ToUnixTimeSeconds():x8}-{Guid.NewGuid():N}"[..^8] + ";Sampled=0");
        await _queue.Writer.WriteAsync(pending).ConfigureAwait(false);
        return await pending.Result.Task.WaitAsync(wait ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task NextAsync(HttpContext context)
    {
        Interlocked.Increment(ref _nextRequests);
        _firstNext.TrySetResult();
        PendingInvocation pending;
        try
        {
            pending = await _queue.Reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        _handedOut[pending.RequestId] = pending;
        var response = context.Response;
        response.Headers["Lambda-Runtime-Aws-Request-Id"] = pending.RequestId;
        response.Headers["Lambda-Runtime-Deadline-Ms"] = (DateTimeOffset.UtcNow + pending.Deadline).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        response.Headers["Lambda-Runtime-Invoked-Function-Arn"] = "arn:aws:lambda:us-east-1:123456789012:function:oteleport";
        response.Headers["Lambda-Runtime-Trace-Id"] = pending.TraceId;
        response.ContentType = "application/json";
        await response.Body.WriteAsync(pending.Payload, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task CompleteAsync(HttpContext context, string id, bool isError)
    {
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        if (!_handedOut.TryGetValue(id, out var pending))
        {
            await AnswerAsync(context, StatusCodes.Status400BadRequest, "{\"errorMessage\":\"unknown request id\",\"errorType\":\"InvalidRequestID\"}").ConfigureAwait(false);
            return;
        }
        if (!isError && body.Length > MaxResponseBytes)
        {
            await AnswerAsync(context, StatusCodes.Status413PayloadTooLarge, "{\"errorMessage\":\"response payload too large\",\"errorType\":\"RequestEntityTooLarge\"}").ConfigureAwait(false);
            return;
        }
        _handedOut.TryRemove(id, out _);
        pending.Result.TrySetResult(isError
            ? new LambdaInvocationResult(id, pending.TraceId, null, LambdaErrorReport.From(context.Request, body))
            : new LambdaInvocationResult(id, pending.TraceId, body, null));
        await AnswerAsync(context, StatusCodes.Status202Accepted, "{\"status\":\"OK\"}").ConfigureAwait(false);
    }

    private async Task InitErrorAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context.Request).ConfigureAwait(false);
        _initErrors.Enqueue(LambdaErrorReport.From(context.Request, body));
        await AnswerAsync(context, StatusCodes.Status202Accepted, "{\"status\":\"OK\"}").ConfigureAwait(false);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        return buffer.ToArray();
    }

    private static Task AnswerAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json);
    }

    private sealed record PendingInvocation(string RequestId, byte[] Payload, TimeSpan Deadline, string TraceId)
    {
        public TaskCompletionSource<LambdaInvocationResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>How the function answered one event: a response document, or an error.</summary>
/// <param name="RequestId">The invocation's request id.</param>
/// <param name="TraceId">The Lambda-Runtime-Trace-Id that came with the event.</param>
/// <param name="Response">The posted response, as bytes.</param>
/// <param name="Error">The posted error.</param>
public sealed record LambdaInvocationResult(string RequestId, string TraceId, byte[]? Response, LambdaErrorReport? Error)
{
    /// <summary>The response as text.</summary>
    public string ResponseText => Response is null ? throw new InvalidOperationException($"the invocation failed: {Error}") : Encoding.UTF8.GetString(Response);
}

/// <summary>An error the function posted: the Lambda-Runtime-Function-Error-Type header and the error document.</summary>
public sealed record LambdaErrorReport(string? ErrorTypeHeader, string? ContentType, string Body)
{
    /// <summary>errorType of the document.</summary>
    public string? ErrorType => Field("errorType");

    /// <summary>errorMessage of the document.</summary>
    public string? ErrorMessage => Field("errorMessage");

    /// <summary>stackTrace of the document, if any.</summary>
    public IReadOnlyList<string> StackTrace
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.TryGetProperty("stackTrace", out var trace) && trace.ValueKind == JsonValueKind.Array
                ? trace.EnumerateArray().Select(e => e.GetString() ?? "").ToArray()
                : [];
        }
    }

    internal static LambdaErrorReport From(HttpRequest request, byte[] body) =>
        new(request.Headers["Lambda-Runtime-Function-Error-Type"].ToString() is { Length: > 0 } type ? type : null, request.ContentType, Encoding.UTF8.GetString(body));

    private string? Field(string name)
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.TryGetProperty(name, out var value) ? value.GetString() : null;
    }
}
