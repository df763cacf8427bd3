using System.Collections.ObjectModel;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Hosting.Lambda.RuntimeApi;

namespace Oteleport.Hosting.Lambda.Server;

/// <summary>
/// The <see cref="IServer"/> that takes Kestrel's place inside Lambda: instead of listening on a port it
/// asks the runtime API for one event at a time, runs it through the app and posts the answer.
/// </summary>
internal sealed partial class LambdaServer : IServer
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(1);
    private readonly LambdaHostingOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<LambdaServer> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private RuntimeApiClient? _client;
    private Task? _loop;

    public LambdaServer(IOptions<LambdaHostingOptions> options, IHostApplicationLifetime lifetime, ILogger<LambdaServer> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        _lifetime = lifetime;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        // Nothing listens: an empty, read-only address list keeps the host from adding default URLs.
        Features.Set<IServerAddressesFeature>(new NoAddresses());
    }

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var runtimeApi = _options.RuntimeApi
            ?? throw new InvalidOperationException($"{RuntimeApiClient.EnvironmentVariable} is not set: the Lambda server runs only inside Lambda.");
        _client = new RuntimeApiClient(runtimeApi);
        var handler = new InvocationHandler<TContext>(application, _options, _time, _logger);
        LogStarted(runtimeApi);
        _loop = Task.Run(() => RunAsync(_client, handler, _stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            try
            {
                await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The host's shutdown timeout came first.
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _client?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>One invocation at a time, as Lambda hands them out, until the host stops.</summary>
    private async Task RunAsync<TContext>(RuntimeApiClient client, InvocationHandler<TContext> handler, CancellationToken stopping) where TContext : notnull
    {
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            Invocation invocation;
            try
            {
                invocation = await client.NextAsync(stopping).ConfigureAwait(false);
                failures = 0;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (RuntimeApiException ex) when (ex.IsFatal)
            {
                LogFatal(ex);
                _lifetime.StopApplication();
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException or IOException)
            {
                // The runtime API is local and always there inside Lambda; a failure is worth a retry, not an exit.
                failures++;
                LogNextFailed(ex, failures);
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }

            // Lambda runtimes expose the invocation's X-Ray header to tracing SDKs through this variable.
            Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);
            using (_logger.BeginScope(new KeyValuePair<string, object>[] { new("AwsRequestId", invocation.RequestId) }))
            {
                var outcome = await handler.HandleAsync(invocation, stopping).ConfigureAwait(false);
                if (await PostAsync(client, invocation.RequestId, outcome, stopping).ConfigureAwait(false) is false)
                {
                    _lifetime.StopApplication();
                    break;
                }
            }
        }
    }

    /// <summary>Posts the outcome; false when the runtime API reports a state the function must exit on.</summary>
    private async Task<bool> PostAsync(RuntimeApiClient client, string requestId, InvocationOutcome outcome, CancellationToken stopping)
    {
        try
        {
            if (outcome.Response is { } response)
            {
                await client.PostResponseAsync(requestId, response, stopping).ConfigureAwait(false);
                LogAnswered(requestId, outcome.StatusCode, response.Length);
            }
            else
            {
                await client.PostErrorAsync(requestId, outcome.Error!, stopping).ConfigureAwait(false);
                LogErrorPosted(requestId, outcome.Error!.ErrorType);
            }
            return true;
        }
        catch (RuntimeApiException ex) when (ex.IsFatal)
        {
            LogFatal(ex);
            return false;
        }
        catch (Exception ex) when (ex is HttpRequestException or RuntimeApiException or IOException or OperationCanceledException)
        {
            LogPostFailed(ex, requestId);
            return true;
        }
    }

    private sealed class NoAddresses : IServerAddressesFeature
    {
        public ICollection<string> Addresses { get; } = new ReadOnlyCollection<string>([]);

        public bool PreferHostingUrls { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving Lambda invocations from the runtime API at {RuntimeApi}")]
    private partial void LogStarted(string runtimeApi);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invocation {AwsRequestId} answered {StatusCode} ({Bytes} bytes)")]
    private partial void LogAnswered(string awsRequestId, int statusCode, int bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invocation {AwsRequestId} reported as failed ({ErrorType})")]
    private partial void LogErrorPosted(string awsRequestId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Fetching the next invocation failed ({Failures} in a row); retrying")]
    private partial void LogNextFailed(Exception exception, int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "Posting the outcome of invocation {AwsRequestId} failed")]
    private partial void LogPostFailed(Exception exception, string awsRequestId);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The Lambda runtime API reports an unrecoverable error; stopping")]
    private partial void LogFatal(Exception exception);
}
