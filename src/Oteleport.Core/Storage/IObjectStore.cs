namespace Oteleport.Storage;

/// <summary>
/// Blob-level storage: put whole objects, list keys under a prefix in key order, get an object.
/// Keys are relative to the store's own root (a folder, or a bucket plus key prefix) and use '/' separators.
/// A new backend (another cloud, another disk layout) is one implementation of this interface.
/// </summary>
public interface IObjectStore
{
    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/>, replacing any object there.</summary>
    /// <exception cref="StorageUnavailableException">The store cannot be reached or refused the write.</exception>
    Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>
    /// Lists the objects whose key starts with <paramref name="prefix"/>, in ordinal key order,
    /// beginning strictly after <paramref name="startAfter"/> when it is given.
    /// </summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default);

    /// <summary>Opens the object's content as stored (still compressed when it was put compressed), or null when there is no such object.</summary>
    Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The summary stored with an object (<see cref="ObjectMetadata.Summary"/>), or null when it has none
    /// or the store keeps none. Cheaper than reading the object; fetch uses it to skip objects.
    /// </summary>
    Task<string?> GetSummaryAsync(string key, CancellationToken cancellationToken = default) => Task.FromResult<string?>(null);

    /// <summary>Checks that the store is reachable and usable (folder writable, bucket present, credentials valid).</summary>
    /// <exception cref="StorageUnavailableException">The store is not usable; the message says why.</exception>
    Task CheckAsync(CancellationToken cancellationToken = default);
}

/// <summary>How an object's bytes are to be interpreted.</summary>
/// <param name="ContentType">The media type, e.g. <c>application/json</c>.</param>
/// <param name="ContentEncoding">The content coding, e.g. <c>gzip</c>, or null.</param>
/// <param name="Summary">A short ASCII text kept with the object (S3 user metadata), or null.</param>
public sealed record ObjectMetadata(string ContentType, string? ContentEncoding = null, string? Summary = null);

/// <summary>An entry of a listing.</summary>
/// <param name="Key">The key, relative to the store's root.</param>
/// <param name="Size">The stored size in bytes.</param>
public readonly record struct StoredObject(string Key, long Size);

/// <summary>
/// The store could not be reached or failed. Receivers answer it with a retryable status
/// (OTLP UNAVAILABLE, HTTP 503), never with a 500.
/// </summary>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StorageUnavailableException(string message, Exception? innerException = null) : base(message, innerException) { }
}
