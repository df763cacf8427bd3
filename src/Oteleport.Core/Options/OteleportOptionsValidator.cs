using Microsoft.Extensions.Options;
using Oteleport.Cursor;
using Oteleport.Storage;

namespace Oteleport.Options;

/// <summary>Start-up validation of <see cref="OteleportOptions"/>: every message names the setting at fault.</summary>
internal sealed class OteleportOptionsValidator : IValidateOptions<OteleportOptions>
{
    public ValidateOptionsResult Validate(string? name, OteleportOptions options)
    {
        var errors = new List<string>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.AccessKeys.Count; i++)
        {
            var key = options.AccessKeys[i];
            if (string.IsNullOrEmpty(key.SecretKey))
            {
                errors.Add($"access_keys[{i}]: the secret key is empty");
            }
            if (!ids.Add(key.KeyId ?? $"key{i}"))
            {
                errors.Add($"access_keys[{i}]: the key id '{key.KeyId}' is used twice");
            }
        }
        if (string.IsNullOrWhiteSpace(options.AccessKeyHeader) || options.AccessKeyHeader.Any(c => c <= ' ' || c >= 127 || c == ':'))
        {
            errors.Add($"access_key_header: '{options.AccessKeyHeader}' is not a valid HTTP header name");
        }
        try
        {
            StorageLocation.Parse(options.Storage.Location);
        }
        catch (FormatException ex)
        {
            errors.Add(ex.Message);
        }
        if (!string.IsNullOrEmpty(options.Storage.CursorEncryptionKey))
        {
            try
            {
                CursorKey.Parse(options.Storage.CursorEncryptionKey, out _);
            }
            catch (FormatException ex)
            {
                errors.Add(ex.Message);
            }
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(options.Storage.TimeZone, out _))
        {
            errors.Add($"storage.time_zone: unknown time zone '{options.Storage.TimeZone}' (use an IANA name such as Asia/Tokyo, or UTC)");
        }
        if (options.Storage.FlushInterval < TimeSpan.Zero || options.Storage.FlushInterval > TimeSpan.FromMinutes(1))
        {
            errors.Add($"storage.flush_interval must be between 00:00:00 and 00:01:00, not {options.Storage.FlushInterval}");
        }
        if (!Enum.IsDefined(options.Storage.CompressionLevel))
        {
            errors.Add($"storage.compression_level must be fastest, optimal or smallest, not {options.Storage.CompressionLevel} (to store uncompressed objects, set storage.gzip to false)");
        }
        if (options.Storage.ReadAhead is < 1 or > 64)
        {
            errors.Add($"storage.read_ahead must be between 1 and 64, not {options.Storage.ReadAhead}");
        }
        if (options.Storage.MaxBatchRecords <= 0)
        {
            errors.Add("storage.max_batch_records must be positive");
        }
        if (options.Limits.MaxFetchLimit <= 0)
        {
            errors.Add("limits.max_fetch_limit must be positive");
        }
        if (options.Limits.DefaultFetchLimit <= 0 || options.Limits.DefaultFetchLimit > options.Limits.MaxFetchLimit)
        {
            errors.Add($"limits.default_fetch_limit must be between 1 and limits.max_fetch_limit ({options.Limits.MaxFetchLimit})");
        }
        if (options.Limits.MaxFetchRange <= TimeSpan.Zero)
        {
            errors.Add("limits.max_fetch_range must be positive, e.g. 31.00:00:00");
        }
        if (options.Limits.MaxRequestBytes <= 0)
        {
            errors.Add("limits.max_request_bytes must be positive");
        }
        ValidatePrefix(errors, "otlp.http.prefix", options.Otlp.Http.Prefix);
        ValidatePrefix(errors, "api.http.prefix", options.Api.Http.Prefix);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidatePrefix(List<string> errors, string name, string prefix)
    {
        if (prefix.Length > 0 && (!prefix.StartsWith('/') || prefix.EndsWith('/') || prefix.Contains('?') || prefix.Contains('#')))
        {
            errors.Add($"{name}: '{prefix}' must start with '/' and not end with one, e.g. /oteleport");
        }
    }
}
