namespace Oteleport.Storage;

/// <summary>A parsed <c>storage.location</c>: an S3 bucket and key prefix, or a local folder.</summary>
public sealed record StorageLocation
{
    private StorageLocation() { }

    /// <summary>True for <c>s3://</c> locations.</summary>
    public bool IsS3 { get; private init; }

    /// <summary>The bucket of an S3 location.</summary>
    public string Bucket { get; private init; } = "";

    /// <summary>The key prefix of an S3 location: empty or ending in '/'.</summary>
    public string Prefix { get; private init; } = "";

    /// <summary>The absolute folder of a local location.</summary>
    public string FolderPath { get; private init; } = "";

    /// <summary>Parses <c>s3://bucket/prefix/</c>, <c>file:///abs/path/</c> or a plain path.</summary>
    /// <exception cref="FormatException">The location is empty, has no bucket, or an unsupported scheme.</exception>
    public static StorageLocation Parse(string location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            throw new FormatException("storage.location is empty: use s3://bucket/prefix/, file:///path/ or a folder path");
        }
        location = location.Trim();
        if (location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase))
        {
            var rest = location["s3://".Length..];
            var slash = rest.IndexOf('/');
            var bucket = slash < 0 ? rest : rest[..slash];
            var prefix = slash < 0 ? "" : rest[(slash + 1)..].TrimStart('/');
            if (bucket.Length == 0)
            {
                throw new FormatException($"storage.location '{location}' names no bucket: use s3://bucket/prefix/");
            }
            if (bucket.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '?' or '#' or '\\'))
            {
                throw new FormatException($"storage.location '{location}' has an invalid bucket name '{bucket}'");
            }
            // Keys never start with '/', whatever the location's slashes.
            if (prefix.Length > 0 && !prefix.EndsWith('/'))
            {
                prefix += "/";
            }
            return new StorageLocation { IsS3 = true, Bucket = bucket, Prefix = prefix };
        }
        if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return new StorageLocation { FolderPath = Path.GetFullPath(new Uri(location).LocalPath) };
        }
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            throw new FormatException($"storage.location '{location}' has an unsupported scheme '{location[..scheme]}': use s3://, file:// or a folder path");
        }
        return new StorageLocation { FolderPath = Path.GetFullPath(location) };
    }

    /// <inheritdoc />
    public override string ToString() => IsS3 ? $"s3://{Bucket}/{Prefix}" : FolderPath;
}
