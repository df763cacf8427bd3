using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Oteleport.Hosting.Lambda.Tests;

/// <summary>Function URL events (payload format 2.0) shaped as Lambda sends them, and their answers read back.</summary>
internal static class FunctionUrlEvents
{
    public const string SourceIp = "203.0.113.7";

    /// <summary>
    /// An event for one request. A body goes base64 unless <paramref name="textBody"/> (Function URLs send
    /// text bodies as they are and binary ones in base64). Header names are lower-cased as Lambda does.
    /// </summary>
    public static byte[] Request(
        string method,
        string path,
        byte[]? body = null,
        string? contentType = null,
        bool textBody = false,
        IReadOnlyDictionary<string, string>? headers = null,
        string rawQueryString = "",
        IReadOnlyList<string>? cookies = null)
    {
        var headerObject = new JsonObject
        {
            ["host"] = "abcdefghijklmnop.lambda-url.us-east-1.on.aws",
            ["user-agent"] = "OTel-OTLP-Exporter-Dotnet/1.14.0",
            ["x-forwarded-proto"] = "https",
            ["x-forwarded-port"] = "443",
            ["x-forwarded-for"] = SourceIp,
            ["x-amzn-trace-id"] = "Root=1-5f84c7a9-0e5d2f6e1c1a0b3b2c9e8d7f",
        };
        if (contentType is not null)
        {
            headerObject["content-type"] = contentType;
        }
        if (body is not null)
        {
            headerObject["content-length"] = body.Length.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            headerObject[name.ToLowerInvariant()] = value;
        }
        var now = DateTimeOffset.UtcNow;
        var document = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = path,
            ["rawQueryString"] = rawQueryString,
            ["headers"] = headerObject,
            ["requestContext"] = new JsonObject
            {
                ["accountId"] = "anonymous",
                ["apiId"] = "abcdefghijklmnop",
                ["domainName"] = "abcdefghijklmnop.lambda-url.us-east-1.on.aws",
                ["domainPrefix"] = "abcdefghijklmnop",
                ["http"] = new JsonObject
                {
                    ["method"] = method,
                    ["path"] = path,
                    ["protocol"] = "HTTP/1.1",
                    ["sourceIp"] = SourceIp,
                    ["userAgent"] = "OTel-OTLP-Exporter-Dotnet/1.14.0",
                },
                ["requestId"] = Guid.NewGuid().ToString(),
                ["routeKey"] = "$default",
                ["stage"] = "$default",
                ["time"] = now.ToString("dd/MMM/yyyy:HH:mm:ss +0000", CultureInfo.InvariantCulture),
                ["timeEpoch"] = now.ToUnixTimeMilliseconds(),
            },
            ["isBase64Encoded"] = body is not null && !textBody,
        };
        if (cookies is not null)
        {
            document["cookies"] = new JsonArray(cookies.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
        }
        if (body is not null)
        {
            document["body"] = textBody ? Encoding.UTF8.GetString(body) : Convert.ToBase64String(body);
        }
        return Encoding.UTF8.GetBytes(document.ToJsonString());
    }
}

/// <summary>A Function URL answer (payload format 2.0) as the function posted it.</summary>
internal sealed record FunctionUrlAnswer(int StatusCode, Dictionary<string, string> Headers, List<string> Cookies, string Body, bool IsBase64Encoded)
{
    public byte[] BodyBytes => IsBase64Encoded ? Convert.FromBase64String(Body) : Encoding.UTF8.GetBytes(Body);

    public string? ContentType => Headers.GetValueOrDefault("Content-Type");

    public static FunctionUrlAnswer Parse(byte[] response)
    {
        using var document = JsonDocument.Parse(response);
        var root = document.RootElement;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("headers", out var h))
        {
            foreach (var property in h.EnumerateObject())
            {
                headers[property.Name] = property.Value.GetString()!;
            }
        }
        var cookies = root.TryGetProperty("cookies", out var c) ? c.EnumerateArray().Select(e => e.GetString()!).ToList() : [];
        return new FunctionUrlAnswer(
            root.GetProperty("statusCode").GetInt32(),
            headers,
            cookies,
            root.TryGetProperty("body", out var body) ? body.GetString() ?? "" : "",
            root.TryGetProperty("isBase64Encoded", out var b64) && b64.GetBoolean());
    }
}
