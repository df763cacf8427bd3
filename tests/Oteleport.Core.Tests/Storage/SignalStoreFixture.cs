using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oteleport.Options;
using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>A signal store over a temporary folder, built through the public registration.</summary>
internal sealed class SignalStoreFixture : IDisposable
{
    private readonly ServiceProvider _services;

    public SignalStoreFixture(Action<OteleportOptions>? configure = null, TempFolder? folder = null)
    {
        Folder = folder ?? new TempFolder("store");
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory, NullLoggerFactory>();
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        // Sequential test writes need no batching delay; tests of group commit set their own interval.
        services.AddOteleportCore(o =>
        {
            o.Storage.FlushInterval = TimeSpan.Zero;
            configure?.Invoke(o);
        }).UseFileSystemStorage(Folder.Path);
        _services = services.BuildServiceProvider();
        Store = _services.GetRequiredService<ISignalStore>();
        Objects = _services.GetRequiredService<IObjectStore>();
    }

    public TempFolder Folder { get; }
    public ISignalStore Store { get; }
    public IObjectStore Objects { get; }

    public void Dispose()
    {
        _services.Dispose();
    }
}
