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

        if (!IsS3(location))
        {
            error = $"the S3 storage location '{location}' does not start with s3://; expected s3://bucket/prefix/";
            return false;
        }
        // One parser for every location: Core's, which the options validator uses too.
        try
        {
            var parsed = StorageLocation.Parse(location);
            result = new S3Location(parsed.Bucket, parsed.Prefix);
            error = "";
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Parses a location or throws <see cref="ArgumentException"/> with the reason.</summary>
    public static S3Location Parse(string? location) =>
        TryParse(location, out var result, out var error) ? result : throw new ArgumentException(error, nameof(location));

    public override string ToString() => $"{Scheme}{Bucket}/{KeyPrefix}";
}
