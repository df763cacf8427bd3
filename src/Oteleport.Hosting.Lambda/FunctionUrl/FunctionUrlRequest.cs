using System.Text.Json;
using System.Text.Json.Serialization;

namespace Oteleport.Hosting.Lambda.FunctionUrl;

/// <summary>
/// The fields of a Function URL event (payload format 2.0, shared with API Gateway HTTP APIs) that an
/// HTTP request is made of. Fields that Function URLs send but a request does not need are not read.
/// </summary>
internal sealed class FunctionUrlRequest
{
    public string? Version { get; set; }

    /// <summary>The path as the client sent it, percent-encoding included.</summary>
    public string? RawPath { get; set; }

    /// <summary>The query string without the '?'.</summary>
    public string? RawQueryString { get; set; }

    /// <summary>The Cookie header, split into its cookies.</summary>
    public List<string>? Cookies { get; set; }

    /// <summary>Header names in lower case; the values of a repeated header joined with commas.</summary>
    public Dictionary<string, string>? Headers { get; set; }

    public FunctionUrlRequestContext? RequestContext { get; set; }

    public string? Body { get; set; }

    public bool IsBase64Encoded { get; set; }

    /// <summary>Reads an event; throws <see cref="FunctionUrlEventException"/> for anything that is not a payload 2.0 HTTP request.</summary>
    public static FunctionUrlRequest Parse(ReadOnlySpan<byte> payload)
    {
        FunctionUrlRequest? request;
        try
        {
            request = JsonSerializer.Deserialize(payload, FunctionUrlJsonContext.Default.FunctionUrlRequest);
        }
        catch (JsonException ex)
        {
            throw new FunctionUrlEventException($"the event is not a Function URL request: {ex.Message}", ex);
        }
        if (request is null)
        {
            throw new FunctionUrlEventException("the event is not a Function URL request: it is null");
        }
        if (request.Version is { } version && version != "2.0")
        {
            throw new FunctionUrlEventException(
                $"the event has payload format version '{version}': only 2.0 (Function URLs, HTTP APIs) is supported");
        }
        if (string.IsNullOrEmpty(request.RequestContext?.Http?.Method))
        {
            throw new FunctionUrlEventException("the event is not a Function URL request: it has no requestContext.http.method");
        }
        try
        {
            request.BodyBytes = request.Body switch
            {
                null or "" => [],
                { } body when request.IsBase64Encoded => Convert.FromBase64String(body),
                { } body => System.Text.Encoding.UTF8.GetBytes(body),
            };
        }
        catch (FormatException ex)
        {
            throw new FunctionUrlEventException("the event's body is marked isBase64Encoded but is not base64", ex);
        }
        return request;
    }

    /// <summary>The request body's bytes (decoded from base64 when the event says so); set by <see cref="Parse"/>.</summary>
    [JsonIgnore]
    public byte[] BodyBytes { get; private set; } = [];
}

internal sealed class FunctionUrlRequestContext
{
    public string? RequestId { get; set; }

    public string? DomainName { get; set; }

    public FunctionUrlHttp? Http { get; set; }
}

internal sealed class FunctionUrlHttp
{
    public string? Method { get; set; }

    public string? Path { get; set; }

    public string? Protocol { get; set; }

    public string? SourceIp { get; set; }
}

/// <summary>What the function answers a Function URL event with (payload format 2.0).</summary>
internal sealed class FunctionUrlResponse
{
    public int StatusCode { get; set; }

    /// <summary>Header values joined with commas; Set-Cookie goes to <see cref="Cookies"/> instead.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public List<string>? Cookies { get; set; }

    public string Body { get; set; } = "";

    public bool IsBase64Encoded { get; set; }
}

/// <summary>An event that cannot be turned into an HTTP request.</summary>
internal sealed class FunctionUrlEventException(string message, Exception? inner = null) : Exception(message, inner);

[JsonSerializable(typeof(FunctionUrlRequest))]
[JsonSerializable(typeof(FunctionUrlResponse))]
[JsonSerializable(typeof(string))]
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
internal sealed partial class FunctionUrlJsonContext : JsonSerializerContext;
