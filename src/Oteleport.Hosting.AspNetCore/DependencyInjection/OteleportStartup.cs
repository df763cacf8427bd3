using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Options;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore;

/// <summary>
/// Fails the start when the store is unusable (missing bucket, bad credentials, read-only folder),
/// rather than on the first Export, warns when no access key protects the server, and flushes at shutdown.
/// </summary>
internal sealed partial class OteleportStartup(IObjectStore store, ISignalStore signals, IOptions<OteleportOptions> options, ILogger<OteleportStartup> logger) : IHostedService
{
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Oteleport stores signals in {Location} (gzip: {Gzip}, flatten: {Flatten})")]
    private partial void LogStorage(string location, bool gzip, bool flatten);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No access key is configured: anyone who can reach this server can send and read telemetry. Set access_keys (Oteleport__AccessKeys__0__SecretKey).")]
    private partial void LogNoAccessKey();
}
