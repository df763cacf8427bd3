using Oteleport.Options;
using Oteleport.Storage;

namespace Oteleport.Server;

/// <summary>Picks the store from <c>storage.location</c>: <c>s3://</c> is S3, anything else a folder.</summary>
internal static class StorageSelection
{
    public static void Apply(IOteleportBuilder builder, OteleportOptions options)
    {
        var location = StorageLocation.Parse(options.Storage.Location);
        if (location.IsS3)
        {
            builder.UseS3Storage();
        }
        else
        {
            builder.UseFileSystemStorage(location.FolderPath);
        }
    }
}
