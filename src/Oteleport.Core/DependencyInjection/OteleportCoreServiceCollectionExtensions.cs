using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Oteleport;
using Oteleport.Cursor;
using Oteleport.Options;
using Oteleport.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Oteleport's store (no receivers: <c>AddOteleport()</c> of Oteleport.Hosting.AspNetCore adds those).</summary>
public static class OteleportCoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds the signal store, cursor codec and validated <see cref="OteleportOptions"/>. Storage defaults to
    /// the folder of <c>storage.location</c>; call <c>UseS3Storage()</c> or <c>UseFileSystemStorage()</c> on the result to choose.
    /// </summary>
    public static IOteleportBuilder AddOteleportCore(this IServiceCollection services, Action<OteleportOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var optionsBuilder = services.AddOptions<OteleportOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }
        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OteleportOptions>, OteleportOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new OteleportMetrics(sp.GetService<IMeterFactory>() ?? new StandaloneMeterFactory()));
        services.TryAddSingleton(sp => CursorCodecFactory.Create(
            sp.GetRequiredService<IOptions<OteleportOptions>>(),
            sp.GetService<ICursorKeyStore>() ?? DefaultKeyStore(sp.GetRequiredService<IOptions<OteleportOptions>>().Value),
            sp.GetService<ILoggerFactory>()?.CreateLogger("Oteleport.Cursor") ?? NullLogger.Instance));
        services.TryAddSingleton<ISignalStore, SignalStore>();
        // Without a Use*Storage() call, the location decides; only folders are built in.
        services.TryAddSingleton<IObjectStore>(sp => DefaultObjectStore(sp.GetRequiredService<IOptions<OteleportOptions>>().Value));
        return new OteleportBuilder(services);
    }

    private static IObjectStore DefaultObjectStore(OteleportOptions options)
    {
        var location = StorageLocation.Parse(options.Storage.Location);
        if (location.IsS3)
        {
            throw new InvalidOperationException(
                $"storage.location is {location} but no S3 store is registered: add the Oteleport.Storage.S3 package and call UseS3Storage().");
        }
        return new FileSystemObjectStore(location.FolderPath);
    }

    private static ICursorKeyStore? DefaultKeyStore(OteleportOptions options)
    {
        var location = StorageLocation.Parse(options.Storage.Location);
        return location.IsS3 ? null : new FileSystemCursorKeyStore(location.FolderPath);
    }

    /// <summary>Used when the host has no IMeterFactory (plain service collections in tools and tests).</summary>
    private sealed class StandaloneMeterFactory : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);
        public void Dispose() { }
    }
}
