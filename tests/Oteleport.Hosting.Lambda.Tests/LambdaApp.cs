using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Oteleport.Lambda;
using Oteleport.Testing;
using Oteleport.Testing.Lambda;

namespace Oteleport.Hosting.Lambda.Tests;

/// <summary>
/// The sample function (<see cref="LambdaFunction.Build"/>) with its real runtime loop, pointed at a
/// <see cref="LambdaRuntimeApiServer"/> through <c>AWS_LAMBDA_RUNTIME_API</c>, storing in a temp folder,
/// with an access key and a few test-only endpoints next to Oteleport's.
/// </summary>
internal sealed class LambdaApp : IAsyncDisposable
{
    public const string AccessKey = "lambda-test-secret";
    public const string CursorKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // base64 of 32 bytes

    private LambdaApp(LambdaRuntimeApiServer runtime, TempFolder folder, WebApplication app)
    {
        Runtime = runtime;
        Folder = folder;
        App = app;
    }

    public LambdaRuntimeApiServer Runtime { get; }
    public TempFolder Folder { get; }
    public WebApplication App { get; }

    /// <summary>Completes with true when the slow endpoint saw RequestAborted fire.</summary>
    public TaskCompletionSource<bool> SlowRequestAborted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<LambdaApp> StartAsync()
    {
        var runtime = await LambdaRuntimeApiServer.StartAsync();
        var folder = new TempFolder("lambda");
        WebApplication app;
        Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", runtime.Address);
        try
        {
            app = LambdaFunction.Build([], builder =>
            {
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Oteleport:Storage:Location"] = folder.Path,
                    ["Oteleport:Storage:CursorEncryptionKey"] = CursorKey,
                    ["Oteleport:AccessKeys:0:SecretKey"] = AccessKey,
                });
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
            });
        }
        finally
        {
            // Read when hosting is added; nothing later needs it, and other tests must not see it.
            Environment.SetEnvironmentVariable("AWS_LAMBDA_RUNTIME_API", null);
        }
        var lambda = new LambdaApp(runtime, folder, app);
        lambda.MapTestEndpoints();
        await app.StartAsync();
        return lambda;
    }

    /// <summary>Sends one Function URL event and reads the answer; fails the test on an invocation error.</summary>
    public async Task<FunctionUrlAnswer> SendAsync(byte[] functionUrlEvent, TimeSpan? deadline = null)
    {
        var result = await Runtime.InvokeAsync(functionUrlEvent, deadline);
        result.Error.Should().BeNull("the function should answer, not fail");
        return FunctionUrlAnswer.Parse(result.Response!);
    }

    public void ResetSlowRequest() => SlowRequestAborted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Runtime.DisposeAsync();
        Folder.Dispose();
    }

    private void MapTestEndpoints()
    {
        App.MapPost("/test/throw", (HttpContext _) => throw new InvalidOperationException("boom from the test endpoint"));

        App.MapGet("/test/slow", async (HttpContext context) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                SlowRequestAborted.TrySetResult(true);
                throw;
            }
        });

        App.MapGet("/test/big", async (HttpContext context) =>
        {
            var size = int.Parse(context.Request.Query["bytes"]!, System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/octet-stream";
            var chunk = new byte[64 * 1024];
            Random.Shared.NextBytes(chunk);
            for (var written = 0; written < size; written += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk.AsMemory(0, Math.Min(chunk.Length, size - written)));
            }
        });

        App.Map("/test/echo/{**rest}", async (HttpContext context) =>
        {
            using var body = new StreamReader(context.Request.Body);
            var echo = new Dictionary<string, object?>
            {
                ["method"] = context.Request.Method,
                ["scheme"] = context.Request.Scheme,
                ["host"] = context.Request.Host.Value,
                ["path"] = context.Request.Path.Value,
                ["query"] = context.Request.QueryString.Value,
                ["queryA"] = context.Request.Query["a"].ToString(),
                ["cookie"] = context.Request.Headers.Cookie.ToString(),
                ["cookieB"] = context.Request.Cookies["b"],
                ["multi"] = context.Request.Headers["x-multi"].ToString(),
                ["contentLength"] = context.Request.ContentLength,
                ["body"] = await body.ReadToEndAsync(),
                ["remoteIp"] = context.Connection.RemoteIpAddress?.ToString(),
                ["traceIdentifier"] = context.TraceIdentifier,
                ["xrayTraceId"] = Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"),
            };
            context.Response.Headers.Append("Set-Cookie", "session=abc; Path=/; HttpOnly");
            context.Response.Headers.Append("Set-Cookie", "theme=dark");
            context.Response.Headers.Append("X-Values", new Microsoft.Extensions.Primitives.StringValues(["one", "two"]));
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.WriteAsJsonAsync(echo);
        });
    }
}
