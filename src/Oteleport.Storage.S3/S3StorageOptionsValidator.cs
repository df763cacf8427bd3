using Microsoft.Extensions.Options;
using Oteleport.Options;

namespace Oteleport.Storage.S3;

/// <summary>
/// Checks the S3 settings that <c>UseS3Storage</c> relies on: an <c>s3://</c> location with a bucket
/// (the one passed to <c>UseS3Storage</c>, else <c>Storage.Location</c> when it is an <c>s3://</c>
/// location), a known checksum mode, and complete static credentials.
/// </summary>
internal sealed class S3StorageOptionsValidator(string? locationOverride) : IValidateOptions<OteleportOptions>
{
    public string? LocationOverride { get; } = locationOverride;

    public ValidateOptionsResult Validate(string? name, OteleportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        var location = LocationOverride ?? options.Storage?.Location;
        if (LocationOverride is not null || S3Location.IsS3(location))
        {
            if (!S3Location.TryParse(location, out _, out var error))
            {
                failures.Add($"Oteleport:Storage:Location: {error}.");
            }
        }

        var aws = options.Storage?.Aws ?? new AwsOptions();
        if (!S3ClientFactory.TryParseChecksum(aws.Checksum, out _))
        {
            failures.Add(
                $"Oteleport:Storage:Aws:Checksum must be '{S3ClientFactory.WhenSupported}' or " +
                $"'{S3ClientFactory.WhenRequired}', not '{aws.Checksum}'.");
        }

        if (!string.IsNullOrWhiteSpace(aws.Endpoint) &&
            !(Uri.TryCreate(aws.Endpoint.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            failures.Add($"Oteleport:Storage:Aws:Endpoint must be an absolute http:// or https:// URL, not '{aws.Endpoint}'.");
        }

        if (aws.Credentials is { } c)
        {
            var hasId = !string.IsNullOrWhiteSpace(c.AccessKeyId);
            var hasSecret = !string.IsNullOrEmpty(c.SecretAccessKey);
            if (hasId != hasSecret || (!hasId && !string.IsNullOrEmpty(c.SessionToken)))
            {
                failures.Add("Oteleport:Storage:Aws:Credentials needs both AccessKeyId and SecretAccessKey (or neither, for the SDK's default credential chain).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
