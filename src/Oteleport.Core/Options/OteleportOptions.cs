namespace Oteleport.Options;

/// <summary>
/// All settings of an Oteleport server, bound from the <c>Oteleport</c> configuration section
/// (so <c>Oteleport__Storage__Location</c> works as an environment variable). The standalone
/// server also reads the Go server's JSON keys (<c>storage.cursor_encryption_key</c>, ...) into these.
/// </summary>
public sealed class OteleportOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Oteleport";

    /// <summary>The default access key header, as the Go server.</summary>
    public const string DefaultAccessKeyHeader = "Oteleport-Access-Key";

    /// <summary>Accepted access keys. Empty: no key is required (a warning is logged).</summary>
    public List<AccessKeyOptions> AccessKeys { get; set; } = new();

    /// <summary>The request header that carries the access key.</summary>
    public string AccessKeyHeader { get; set; } = DefaultAccessKeyHeader;

    /// <summary>Where and how signals are stored.</summary>
    public StorageOptions Storage { get; set; } = new();

    /// <summary>The OTLP receivers.</summary>
    public OtlpOptions Otlp { get; set; } = new();

    /// <summary>The fetch API.</summary>
    public ApiOptions Api { get; set; } = new();

    /// <summary>Request and paging limits.</summary>
    public LimitOptions Limits { get; set; } = new();
}

/// <summary>An access key; a plain string in the Go configuration is a key without an id.</summary>
public sealed class AccessKeyOptions
{
    /// <summary>A name for logs (never the secret). Defaults to <c>key{index}</c>.</summary>
    public string? KeyId { get; set; }

    /// <summary>The secret that clients send in the access key header.</summary>
    public string SecretKey { get; set; } = "";
}

/// <summary>Storage settings.</summary>
public sealed class StorageOptions
{
    /// <summary>The default location: a folder beside the working directory.</summary>
    public const string DefaultLocation = "./oteleport-data";

    /// <summary><c>s3://bucket/prefix/</c>, <c>file:///abs/path/</c> or a plain folder path.</summary>
    public string Location { get; set; } = DefaultLocation;

    /// <summary>
    /// Base64 of 32 random bytes (<c>openssl rand -base64 32</c>) used to encrypt paging cursors.
    /// Absent: the file store generates one in its folder; other stores use a per-process key.
    /// </summary>
    public string? CursorEncryptionKey { get; set; }

    /// <summary>Write one JSON line per record (for Athena) instead of one OTLP JSON document.</summary>
    public bool Flatten { get; set; }

    /// <summary>gzip objects (<c>.json.gz</c>, <c>Content-Encoding: gzip</c>).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>
    /// How hard gzip works when <see cref="Gzip"/> is on: <see cref="ObjectCompressionLevel.Fastest"/>
    /// (default: under a third of the CPU of <c>Optimal</c>, for objects about 1.7 times as large: 15 % of
    /// the JSON rather than 9 %), <c>Optimal</c> or <c>Smallest</c>. Compression is most of the CPU of a
    /// write, so the level bounds the ingest rate. To store objects uncompressed, set <see cref="Gzip"/> to false.
    /// </summary>
    public ObjectCompressionLevel CompressionLevel { get; set; } = ObjectCompressionLevel.Fastest;

    /// <summary>
    /// Fetch reads up to this many objects of a listing ahead, concurrently, while the page still needs
    /// records (default 4; 1 reads one object at a time).
    /// </summary>
    public int ReadAhead { get; set; } = 4;

    /// <summary>
    /// The IANA or Windows time zone of the hour partitions. Default UTC; set it to the zone the Go
    /// server ran in to read a bucket that it wrote in local time.
    /// </summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>
    /// Group commit: how long the first records of a batch wait for others of the same signal and hour
    /// before the batch is written as one object (default 10 ms; <c>00:00:00</c> writes at once, still
    /// merging what arrives while a write is in flight). Each Export is acknowledged when its object is
    /// stored, so a sender that waits for each Export sends at most one batch per interval: a longer
    /// interval writes fewer objects (fewer S3 PUTs) but slows such senders. With the default, 32 such
    /// senders of 100 spans reached 100,000 spans/s on two cores while some 15 times fewer objects than
    /// Exports were written; senders with few concurrent Exports of large batches (SDKs, collectors)
    /// lose nothing with 200 ms, which writes at most 5 objects a second per signal and hour instead of
    /// 100 (see docs/benchmarks.md).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = DefaultFlushInterval;

    /// <summary>The default <see cref="FlushInterval"/>.</summary>
    public static readonly TimeSpan DefaultFlushInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Keep a short summary with each object (S3 user metadata, or a hidden file beside it): record
    /// count, time range, services, a Bloom filter of trace ids, metric names. Filtered fetches skip
    /// objects that cannot match without downloading them. Default on.
    /// </summary>
    public bool Summaries { get; set; } = true;

    /// <summary>
    /// A batch with this many records is written without waiting for the rest of the interval (default
    /// 10,000). It bounds the records a fetch decodes for a page that starts inside the object, and keeps
    /// two full objects within the fetch path's cache of decoded objects.
    /// </summary>
    public int MaxBatchRecords { get; set; } = 10_000;

    /// <summary>AWS settings for <c>s3://</c> locations.</summary>
    public AwsOptions Aws { get; set; } = new();
}

/// <summary>The gzip level of stored objects (<c>storage.compression_level</c>).</summary>
public enum ObjectCompressionLevel
{
    /// <summary>Least CPU per byte (objects about 15 % of the JSON); the default, as ingest is CPU-bound long before storage is.</summary>
    Fastest,

    /// <summary>zlib's default balance of size and CPU.</summary>
    Optimal,

    /// <summary>The smallest objects, at several times the CPU of <see cref="Fastest"/>.</summary>
    Smallest,
}

/// <summary>AWS and S3-compatible store settings.</summary>
public sealed class AwsOptions
{
    /// <summary>The region; absent: the SDK's default (environment, profile, instance metadata).</summary>
    public string? Region { get; set; }

    /// <summary>A service URL for S3-compatible stores (MinIO, s3rver, ...).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Address buckets by path (<c>endpoint/bucket/key</c>) rather than by host name.</summary>
    public bool UseS3PathStyle { get; set; }

    /// <summary>Static credentials; absent: the SDK's default chain (environment, profile, instance or Lambda role).</summary>
    public AwsCredentialsOptions? Credentials { get; set; }

    /// <summary><c>when_supported</c> (default) or <c>when_required</c>: when request checksums are computed and responses validated.</summary>
    public string Checksum { get; set; } = "when_supported";

    /// <summary>Upload with aws-chunked encoding (default). Many S3-compatible stores need <c>false</c>.</summary>
    public bool ChunkedUpload { get; set; } = true;
}

/// <summary>Static AWS credentials.</summary>
public sealed class AwsCredentialsOptions
{
    /// <summary>The access key id.</summary>
    public string AccessKeyId { get; set; } = "";

    /// <summary>The secret access key.</summary>
    public string SecretAccessKey { get; set; } = "";

    /// <summary>The session token of temporary credentials.</summary>
    public string? SessionToken { get; set; }
}

/// <summary>OTLP receiver settings.</summary>
public sealed class OtlpOptions
{
    /// <summary>Enables or disables both receivers at once; each one's own setting wins.</summary>
    public bool? Enable { get; set; }

    /// <summary>OTLP over gRPC.</summary>
    public ListenerOptions Grpc { get; set; } = new() { Address = "0.0.0.0:4317" };

    /// <summary>OTLP over HTTP (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>).</summary>
    public ListenerOptions Http { get; set; } = new() { Address = "0.0.0.0:4318" };
}

/// <summary>Fetch API settings.</summary>
public sealed class ApiOptions
{
    /// <summary>Enables or disables the API on all listeners at once; each one's own setting wins.</summary>
    public bool? Enable { get; set; }

    /// <summary>How far back <c>GET /api/traces/{traceId}</c> looks when no start time is given (default 24 hours).</summary>
    public TimeSpan TraceLookupWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The REST API (<c>{prefix}/api/{signal}/fetch</c>).</summary>
    public ListenerOptions Http { get; set; } = new() { Address = "0.0.0.0:8080" };

    /// <summary>
    /// The fetch API over gRPC (<c>oteleport.proto.v1.OterlportService</c>). It is always served on the
    /// OTLP gRPC listener; an address here adds a listener of its own.
    /// </summary>
    public ListenerOptions Grpc { get; set; } = new();
}

/// <summary>One listener.</summary>
public sealed class ListenerOptions
{
    /// <summary>Whether it is served; null: the parent's setting, else on.</summary>
    public bool? Enable { get; set; }

    /// <summary><c>host:port</c> or <c>:port</c> (all interfaces), as the Go server.</summary>
    public string? Address { get; set; }

    /// <summary>A path prefix, e.g. <c>/oteleport</c>.</summary>
    public string Prefix { get; set; } = "";
}

/// <summary>Request and paging limits.</summary>
public sealed class LimitOptions
{
    /// <summary>The records of a page when a request's <c>limit</c> is 0.</summary>
    public int DefaultFetchLimit { get; set; } = 1000;

    /// <summary>The largest <c>limit</c> a request may ask for; above it is a 400.</summary>
    public int MaxFetchLimit { get; set; } = 10000;

    /// <summary>
    /// The longest time range one fetch may cover (default 31 days). Every hour of a range is a listing,
    /// so an unbounded range (a start in 1970) would be a very long walk; above it is a 400.
    /// </summary>
    public TimeSpan MaxFetchRange { get; set; } = TimeSpan.FromDays(31);

    /// <summary>The largest request body, compressed and decompressed (default 20 MiB).</summary>
    public long MaxRequestBytes { get; set; } = 20 * 1024 * 1024;
}
