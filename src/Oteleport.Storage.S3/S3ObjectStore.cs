using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Oteleport.Options;

namespace Oteleport.Storage.S3;

/// <summary>
/// An <see cref="IObjectStore"/> over Amazon S3 or an S3-compatible server. Every key is stored under
/// the location's key prefix (<c>s3://bucket/prefix/</c> keeps key <c>traces/...</c> as
/// <c>prefix/traces/...</c>); listings give keys back relative to it. Failures to reach or use the
/// bucket are reported as <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private const int DefaultListPageSize = 1000;

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly S3Location _location;
    private readonly bool _chunkedUpload;
    private readonly string _endpoint;
    private readonly ILogger _logger;

    /// <summary>Creates a store over a client that the caller owns (and disposes).</summary>
    /// <param name="client">The S3 client.</param>
    /// <param name="location">The location, <c>s3://bucket/prefix/</c>.</param>
    /// <param name="chunkedUpload">Upload with aws-chunked encoding; many S3-compatible servers need false.</param>
    /// <param name="logger">A logger, or null.</param>
    /// <exception cref="ArgumentException">The location is not <c>s3://bucket/...</c>.</exception>
    public S3ObjectStore(IAmazonS3 client, string location, bool chunkedUpload = true, ILogger<S3ObjectStore>? logger = null)
        : this(client, ownsClient: false, S3Location.Parse(location), chunkedUpload, logger)
    {
    }

    private S3ObjectStore(IAmazonS3 client, bool ownsClient, S3Location location, bool chunkedUpload, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _ownsClient = ownsClient;
        _location = location;
        _chunkedUpload = chunkedUpload;
        _logger = logger ?? NullLogger.Instance;
        _endpoint = DescribeEndpoint(client.Config);
    }

    /// <summary>
    /// Creates a store and its own S3 client from <paramref name="aws"/>: region (else the SDK's
    /// default chain), endpoint, path style, checksum mode and credentials (else the SDK's default chain).
    /// </summary>
    /// <exception cref="ArgumentException">The location or an option is invalid.</exception>
    public static S3ObjectStore Create(string location, AwsOptions aws, ILogger<S3ObjectStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(aws);
        var parsed = S3Location.Parse(location);
        var client = S3ClientFactory.CreateClient(aws);
        return new S3ObjectStore(client, ownsClient: true, parsed, aws.ChunkedUpload, logger);
    }

    /// <summary>The bucket.</summary>
    public string Bucket => _location.Bucket;

    /// <summary>The key prefix: empty, or ending with '/'.</summary>
    public string KeyPrefix => _location.KeyPrefix;

    /// <summary>The keys asked for per ListObjectsV2 call (S3 gives at most 1000); tests lower it to force paging.</summary>
    internal int ListPageSize { get; init; } = DefaultListPageSize;

    /// <summary>The longest one call (put, list page, get, check) may take, SDK retries included.</summary>
    internal TimeSpan OperationTimeout { get; init; } = S3ClientFactory.OperationTimeout;

    internal IAmazonS3 Client => _client;

    internal bool ChunkedUpload => _chunkedUpload;

    /// <inheritdoc />
    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        ArgumentNullException.ThrowIfNull(metadata);

        var body = MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

        var request = new PutObjectRequest
        {
            BucketName = _location.Bucket,
            Key = _location.KeyPrefix + key,
            InputStream = body,
            AutoCloseStream = true,
            ContentType = metadata.ContentType,
            UseChunkEncoding = _chunkedUpload,
        };
        if (!string.IsNullOrEmpty(metadata.ContentEncoding))
        {
            request.Headers.ContentEncoding = metadata.ContentEncoding;
        }
        if (!string.IsNullOrEmpty(metadata.Summary))
        {
            request.Metadata[SummaryMetadataKey] = metadata.Summary;
        }

        try
        {
            await CallAsync(ct => _client.PutObjectAsync(request, ct), S3Operation.Put, key, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await body.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(
        string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var request = new ListObjectsV2Request
        {
            BucketName = _location.Bucket,
            Prefix = _location.KeyPrefix + prefix,
            MaxKeys = ListPageSize,
        };
        if (!string.IsNullOrEmpty(startAfter))
        {
            request.StartAfter = _location.KeyPrefix + startAfter;
        }

        while (true)
        {
            var page = await ListPageAsync(request, cancellationToken).ConfigureAwait(false);
            string? last = null;
            foreach (var o in page.S3Objects ?? [])
            {
                last = o.Key;
                // S3 only gives keys under the requested prefix; check anyway so that a relative key
                // never loses characters that are not the store's prefix.
                if (o.Key is { } k && k.StartsWith(_location.KeyPrefix, StringComparison.Ordinal))
                {
                    yield return new StoredObject(k[_location.KeyPrefix.Length..], o.Size ?? 0);
                }
            }

            if (page.IsTruncated != true)
            {
                yield break;
            }

            if (!string.IsNullOrEmpty(page.NextContinuationToken))
            {
                request.ContinuationToken = page.NextContinuationToken;
            }
            else if (last is not null)
            {
                // A server that truncates without a token: go on after the last key instead.
                request.ContinuationToken = null;
                request.StartAfter = last;
            }
            else
            {
                yield break;
            }
        }
    }

    private Task<ListObjectsV2Response> ListPageAsync(ListObjectsV2Request request, CancellationToken cancellationToken) =>
        CallAsync(ct => _client.ListObjectsV2Async(request, ct), S3Operation.List, null, cancellationToken);

    // Sent as x-amz-meta-oteleport-summary.
    private const string SummaryMetadataKey = "oteleport-summary";

    /// <inheritdoc />
    public async Task<string?> GetSummaryAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new GetObjectMetadataRequest { BucketName = _location.Bucket, Key = _location.KeyPrefix + key };
        var response = await CallAsync(async ct =>
        {
            try
            {
                return await _client.GetObjectMetadataAsync(request, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket")
            {
                return null;
            }
        }, S3Operation.Get, key, cancellationToken).ConfigureAwait(false);
        var value = response?.Metadata[SummaryMetadataKey];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <inheritdoc />
    public async Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        ValidateKey(key);
        var request = new GetObjectRequest
        {
            BucketName = _location.Bucket,
            Key = _location.KeyPrefix + key,
        };

        var response = await CallAsync(async ct =>
        {
            try
            {
                return await _client.GetObjectAsync(request, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey" ||
                                               (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket"))
            {
                return null;
            }
        }, S3Operation.Get, key, cancellationToken).ConfigureAwait(false);

        if (response is null)
        {
            return null;
        }

        return new S3ReadStream(response, this, key);
    }

    /// <inheritdoc />
    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request
        {
            BucketName = _location.Bucket,
            Prefix = _location.KeyPrefix,
            MaxKeys = 1,
        };
        await CallAsync(ct => _client.ListObjectsV2Async(request, ct), S3Operation.Check, null, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Disposes the S3 client when this store created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => _location.ToString();

    /// <summary>
    /// Runs one SDK call under <see cref="OperationTimeout"/> and maps its failures; the caller's own
    /// cancellation propagates as it is.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<CancellationToken, Task<T>> call, S3Operation operation, string? key, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(OperationTimeout);
        try
        {
            return await call(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, operation, key, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    internal StorageUnavailableException? Map(Exception exception, S3Operation operation, string? key, CancellationToken cancellationToken)
    {
        var mapped = S3ErrorMapper.Map(exception, operation, _location, key, _endpoint, cancellationToken);
        if (mapped is not null)
        {
            // The reason already says what failed and why. A stack trace of a refused connection or a
            // missing bucket helps nobody, and an outage would print one per request: keep it for Debug.
            LogUnavailable(_logger, operation, $"s3://{_location.Bucket}/{_location.KeyPrefix}{key}", mapped.Message);
            LogUnavailableDetail(_logger, exception, operation);
        }

        return mapped;
    }

    private static void ValidateKey(string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (key.StartsWith('/'))
        {
            throw new ArgumentException($"Object keys are relative and must not start with '/': '{key}'", nameof(key));
        }
    }

    private static string DescribeEndpoint(IClientConfig config)
    {
        if (!string.IsNullOrEmpty(config.ServiceURL))
        {
            return config.ServiceURL;
        }

        return config.RegionEndpoint is { } region ? $"of region {region.SystemName}" : "(default region)";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "S3 {Operation} failed for {Location}: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, S3Operation operation, string location, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "S3 {Operation} failure detail")]
    private static partial void LogUnavailableDetail(ILogger logger, Exception exception, S3Operation operation);
}
