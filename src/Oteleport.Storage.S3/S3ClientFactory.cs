using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Oteleport.Options;

namespace Oteleport.Storage.S3;

/// <summary>Builds the AWS SDK client of an <see cref="S3ObjectStore"/> from <see cref="AwsOptions"/>.</summary>
internal static class S3ClientFactory
{
    public const string WhenSupported = "when_supported";
    public const string WhenRequired = "when_required";

    /// <summary>The region used with an explicit endpoint when no region is configured anywhere.</summary>
    public const string EndpointFallbackRegion = "us-east-1";

    // Retry and timeout budget. The SDK's defaults (standard retry mode, and an HttpClient that waits
    // without bound for a connection) let an S3 outage hold an OTLP Export for a long time. Oteleport's
    // callers are themselves retrying clients (OTLP exporters answer 503/UNAVAILABLE by retrying later,
    // and give up on a request after 10 s by default), so a quick, clear failure beats a long wait:
    // two retries with the SDK's short backoff, two seconds to open a connection, ten seconds per
    // attempt, and S3ObjectStore bounds a whole call, retries included, by OperationTimeout. A refused
    // connection thus fails in well under a second, a server that accepts and then hangs within 15 s.
    public const int MaxErrorRetry = 2;
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(15);

    public static bool TryParseChecksum(string? value, out bool whenRequired)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text) || string.Equals(text, WhenSupported, StringComparison.OrdinalIgnoreCase))
        {
            whenRequired = false;
            return true;
        }

        whenRequired = string.Equals(text, WhenRequired, StringComparison.OrdinalIgnoreCase);
        return whenRequired;
    }

    public static AmazonS3Config CreateConfig(AwsOptions aws)
    {
        ArgumentNullException.ThrowIfNull(aws);
        if (!TryParseChecksum(aws.Checksum, out var whenRequired))
        {
            throw new ArgumentException(
                $"Storage.Aws.Checksum must be '{WhenSupported}' or '{WhenRequired}', not '{aws.Checksum}'", nameof(aws));
        }

        var config = new AmazonS3Config
        {
            ForcePathStyle = aws.UseS3PathStyle,
            MaxErrorRetry = MaxErrorRetry,
            RetryMode = RequestRetryMode.Standard,
            ConnectTimeout = ConnectTimeout,
            Timeout = RequestTimeout,
        };

        if (whenRequired)
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_SUPPORTED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_SUPPORTED;
        }

        var region = string.IsNullOrWhiteSpace(aws.Region) ? null : aws.Region.Trim();
        if (!string.IsNullOrWhiteSpace(aws.Endpoint))
        {
            // ServiceURL and RegionEndpoint exclude each other in the SDK; with an endpoint the region
            // only names the signing scope. Look for one in the environment and profile (not the
            // instance metadata service, which would stall off EC2), else use us-east-1, which is what
            // S3-compatible servers expect.
            config.ServiceURL = aws.Endpoint.Trim();
            config.AuthenticationRegion = region
                ?? FallbackRegionFactory.GetRegionEndpoint(false)?.SystemName
                ?? EndpointFallbackRegion;
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        // Neither: the SDK resolves the region through its default chain when the client is built.
        return config;
    }

    /// <summary>Static credentials when configured, else null (the SDK's default chain).</summary>
    public static AWSCredentials? CreateCredentials(AwsOptions aws)
    {
        var c = aws.Credentials;
        if (c is null || string.IsNullOrWhiteSpace(c.AccessKeyId))
        {
            return null;
        }

        return string.IsNullOrEmpty(c.SessionToken)
            ? new BasicAWSCredentials(c.AccessKeyId, c.SecretAccessKey)
            : new SessionAWSCredentials(c.AccessKeyId, c.SecretAccessKey, c.SessionToken);
    }

    public static AmazonS3Client CreateClient(AwsOptions aws)
    {
        var config = CreateConfig(aws);
        var credentials = CreateCredentials(aws);
        try
        {
            return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        }
        catch (AmazonClientException ex)
        {
            // Typically: no region anywhere. Say which settings fix it.
            throw new InvalidOperationException(
                "Cannot create the S3 client: " + ex.Message +
                " Set Oteleport:Storage:Aws:Region (storage.aws.region), AWS_REGION, or a profile region.", ex);
        }
    }
}
