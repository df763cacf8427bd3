using System.Text.Json;

namespace Oteleport.Cli.Settings;

/// <summary>
/// A JSON file holding the same settings as the command line, e.g.
/// <c>{"endpoint": "https://oteleport.example:8080", "accessKey": "...", "otlpEndpoint": "http://localhost:4318"}</c>.
/// Keys are matched ignoring case, <c>_</c> and <c>-</c> (so <c>access_key</c> works too).
/// </summary>
internal sealed class Profile
{
    public static readonly Profile Empty = new("", new Dictionary<string, JsonElement>());

    private static readonly string[] KnownKeys =
    [
        "endpoint", "accesskey", "accesskeyheader", "limit", "followlag", "pollinterval",
        "otlpendpoint", "otlpprotocol", "otlpheaders", "otlpcompression", "otlptimeout",
    ];

    private readonly Dictionary<string, JsonElement> _values;

    private Profile(string path, Dictionary<string, JsonElement> values)
    {
        Path = path;
        _values = values;
    }

    public string Path { get; }

    public static Profile Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--profile: cannot read {path}: {ex.Message}");
        }
        var values = new Dictionary<string, JsonElement>();
        try
        {
            using var document = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"--profile: {path} must hold a JSON object");
            }
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var key = Normalize(property.Name);
                if (!KnownKeys.Contains(key))
                {
                    throw new UsageException($"--profile: {path}: unknown setting '{property.Name}' (known: endpoint, accessKey, accessKeyHeader, limit, followLag, pollInterval, otlpEndpoint, otlpProtocol, otlpHeaders, otlpCompression, otlpTimeout)");
                }
                values[key] = property.Value.Clone();
            }
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--profile: {path} is not valid JSON: {ex.Message}");
        }
        return new Profile(path, values);
    }

    /// <summary>A setting as text (strings as they are, numbers as written), or null when absent.</summary>
    public string? Text(string key)
    {
        if (!_values.TryGetValue(Normalize(key), out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw new UsageException($"--profile: {Path}: '{key}' must be a string"),
        };
    }

    /// <summary>A setting that is a JSON object of strings (e.g. headers), or an empty list when absent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Pairs(string key)
    {
        if (!_values.TryGetValue(Normalize(key), out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new UsageException($"--profile: {Path}: '{key}' must be an object of strings");
        }
        return value.EnumerateObject()
            .Select(p => p.Value.ValueKind == JsonValueKind.String
                ? KeyValuePair.Create(p.Name, p.Value.GetString()!)
                : throw new UsageException($"--profile: {Path}: '{key}.{p.Name}' must be a string"))
            .ToList();
    }

    private static string Normalize(string key) => key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
