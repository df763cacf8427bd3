using Microsoft.Extensions.Hosting;
using Oteleport.Hosting.Lambda.RuntimeApi;

namespace Oteleport.Hosting.Lambda;

/// <summary>Runs a host inside or outside Lambda, reporting a failed start to Lambda as an init error.</summary>
public static class LambdaHost
{
    /// <summary>Whether this process runs in a Lambda execution environment (<c>AWS_LAMBDA_RUNTIME_API</c> is set).</summary>
    public static bool IsRunningInLambda =>
        !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RuntimeApiClient.EnvironmentVariable));

    /// <summary>
    /// Builds and starts the host, then runs it until it stops (SIGTERM, or the runtime API's order to exit).
    /// Inside Lambda, an exception while building or starting (bad configuration, unusable storage) is
    /// posted to the runtime API's <c>/runtime/init/error</c> before it is rethrown, so Lambda reports the
    /// cause instead of a bare exit. Outside Lambda this is build, start, wait.
    /// </summary>
    /// <param name="build">Builds the host (for example <c>() => app</c> around a <c>WebApplication</c> builder).</param>
    /// <param name="cancellationToken">Stops the host when cancelled.</param>
    /// <returns>A task that completes when the host has stopped.</returns>
    public static async Task RunAsync(Func<IHost> build, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(build);
        IHost host;
        try
        {
            host = build();
        }
        catch (Exception ex)
        {
            await ReportInitErrorAsync(ex, cancellationToken).ConfigureAwait(false);
            throw;
        }
        try
        {
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                await ReportInitErrorAsync(ex, cancellationToken).ConfigureAwait(false);
                throw;
            }
            await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }
        }
    }

    /// <summary>Posts an init error inside Lambda; does nothing outside. A failure to post is ignored: the exit tells Lambda too.</summary>
    private static async Task ReportInitErrorAsync(Exception exception, CancellationToken cancellationToken)
    {
        var runtimeApi = Environment.GetEnvironmentVariable(RuntimeApiClient.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(runtimeApi))
        {
            return;
        }
        try
        {
            using var client = new RuntimeApiClient(runtimeApi);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await client.PostInitErrorAsync(RuntimeError.From(exception), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException or IOException or OperationCanceledException)
        {
            // Lambda also sees the process exit with an error.
        }
    }
}
