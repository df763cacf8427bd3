namespace Oteleport.Storage.S3;

/// <summary>
/// A parsed <c>s3://bucket/prefix/</c> location: the bucket and the key prefix under which every
/// object of the store lives. The prefix is either empty or ends with '/'.
/// </summary>
internal readonly record struct S3Location(string Bucket, string KeyPrefix)
{
    public const string Scheme = "s3://";

    public static bool IsS3(string? location) =>
        location is not null && location.TrimStart().StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a location; on failure <paramref name="error"/> says what is wrong with it.</summary>
    public static bool TryParse(string? location, out S3Location result, out string error)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(location))
        {
            error = "the S3 storage location is empty; expected s3://bucket/prefix/";
            return false;
        }

        var text = location.Trim();
        if (!IsS3(text))
        {
            error = $"the S3 storage location '{location}' does not start with s3://; expected s3://bucket/prefix/";
            return false;
        }

        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..];

        if (bucket.Length == 0)
        {
            error = $"the S3 storage location '{location}' names no bucket; expected s3://bucket/prefix/";
            return false;
        }

        if (bucket.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '?' or '#' or '\\'))
        {
            error = $"the S3 storage location '{location}' has an invalid bucket name '{bucket}'";
            return false;
        }

        // Collapse leading slashes ("s3://bucket//x") so that keys never start with '/'.
        prefix = prefix.TrimStart('/');
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            prefix += "/";
        }

        result = new S3Location(bucket, prefix);
        error = "";
        return true;
    }

    /// <summary>Parses a location or throws <see cref="ArgumentException"/> with the reason.</summary>
    public static S3Location Parse(string? location) =>
        TryParse(location, out var result, out var error) ? result : throw new ArgumentException(error, nameof(location));

    public override string ToString() => $"{Scheme}{Bucket}/{KeyPrefix}";
}
