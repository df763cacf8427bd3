using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Security;

/// <summary>The outcome of an access key check.</summary>
internal enum AccessKeyResult
{
    /// <summary>No keys are configured, or the key matched one.</summary>
    Allowed,
    /// <summary>Keys are configured and the request carried none.</summary>
    Missing,
    /// <summary>The request's key matched none.</summary>
    Wrong,
}

/// <summary>
/// Checks the access key header against the configured keys. Every key is compared, in constant time
/// over SHA-256 digests, so neither the position nor the length of a match leaks through timing.
/// Keys never reach a log: only their ids do.
/// </summary>
internal sealed partial class AccessKeyValidator
{
    private readonly (string Id, byte[] Digest)[] _keys;
    private readonly ILogger<AccessKeyValidator> _logger;

    public AccessKeyValidator(IOptions<OteleportOptions> options, ILogger<AccessKeyValidator> logger)
    {
        _logger = logger;
        HeaderName = options.Value.AccessKeyHeader;
        _keys = options.Value.AccessKeys
            .Select((key, index) => (key.KeyId ?? $"key{index}", SHA256.HashData(Encoding.UTF8.GetBytes(key.SecretKey))))
            .ToArray();
    }

    public string HeaderName { get; }

    public bool Enabled => _keys.Length > 0;

    public AccessKeyResult Check(string? presented)
    {
        if (_keys.Length == 0)
        {
            return AccessKeyResult.Allowed;
        }
        if (string.IsNullOrEmpty(presented))
        {
            LogDenied("no access key");
            return AccessKeyResult.Missing;
        }
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? matched = null;
        foreach (var (id, keyDigest) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, keyDigest))
            {
                matched ??= id;
            }
        }
        if (matched is null)
        {
            LogDenied("access key mismatch");
            return AccessKeyResult.Wrong;
        }
        LogAuthenticated(matched);
        return AccessKeyResult.Allowed;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Authenticated with access key {KeyId}")]
    private partial void LogAuthenticated(string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access denied: {Reason}")]
    private partial void LogDenied(string reason);
}
