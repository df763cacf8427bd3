using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Options;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore;

/// <summary>
/// Fails the start when the store is unusable (missing bucket, bad credentials, read-only folder),
/// rather than on the first Export, warns when no access key protects the server, and drains and flushes at shutdown.
/// </summary>
internal sealed partial class OteleportStartup(IObjectStore store, ISignalStore signals, IOptions<OteleportOptions> options, ILogger<OteleportStartup> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs first when the host stops (SIGTERM), before the server drains its requests: from now on batches
    /// are written at once, so the Exports in flight, which wait for their batch, complete within the
    /// server's drain rather than after the flush interval (or never, when the shutdown timeout cuts them off).
    /// </summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (signals is SignalStore store)
        {
            LogDraining();
            store.BeginDrain();
        }
        return Task.CompletedTask;
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var location = StorageLocation.Parse(options.Value.Storage.Location);
        try
        {
            await store.CheckAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException ex)
        {
            throw new InvalidOperationException($"Oteleport cannot use its storage {location}: {ex.Message}", ex);
        }
        LogStorage(location.ToString(), options.Value.Storage.Gzip, options.Value.Storage.Flatten);
        if (options.Value.AccessKeys.Count == 0)
        {
            LogNoAccessKey();
        }
    }

    /// <summary>
    /// Runs after the server has stopped taking requests and drained them: writes the batches still
    /// waiting for their flush interval, so shutdown leaves nothing unwritten.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (signals is SignalStore store)
        {
            await store.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: writing pending batches now and the rest without waiting")]
    private partial void LogDraining();

    [LoggerMessage(Level = LogLevel.Information, Message = "Oteleport stores signals in {Location} (gzip: {Gzip}, flatten: {Flatten})")]
    private partial void LogStorage(string location, bool gzip, bool flatten);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No access key is configured: anyone who can reach this server can send and read telemetry. Set access_keys (Oteleport__AccessKeys__0__SecretKey).")]
    private partial void LogNoAccessKey();
}
