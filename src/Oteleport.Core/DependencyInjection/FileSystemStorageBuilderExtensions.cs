using Oteleport;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Oteleport.Cursor;
using Oteleport.Options;
using Oteleport.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the embedded file-system store.</summary>
public static class FileSystemStorageBuilderExtensions
{
    /// <summary>
    /// Stores objects as files under <paramref name="path"/> (default: <c>storage.location</c>, else
    /// <c>./oteleport-data</c>), in the same layout as the bucket. A generated cursor key is kept there too.
    /// </summary>
    public static IOteleportBuilder UseFileSystemStorage(this IOteleportBuilder builder, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        string Folder(IServiceProvider sp) => path is not null
            ? Path.GetFullPath(path)
            : StorageLocation.Parse(sp.GetRequiredService<IOptions<OteleportOptions>>().Value.Storage.Location) is { IsS3: false } location
                ? location.FolderPath
                : Path.GetFullPath(StorageOptions.DefaultLocation);
        builder.Services.Replace(ServiceDescriptor.Singleton<IObjectStore>(sp => new FileSystemObjectStore(Folder(sp))));
        builder.Services.Replace(ServiceDescriptor.Singleton<ICursorKeyStore>(sp => new FileSystemCursorKeyStore(Folder(sp))));
        return builder;
    }
}
