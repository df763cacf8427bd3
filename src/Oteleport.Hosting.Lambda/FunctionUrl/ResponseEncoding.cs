using System.Text;
using Microsoft.Net.Http.Headers;

namespace Oteleport.Hosting.Lambda.FunctionUrl;

/// <summary>
/// Decides how a response body travels in the Function URL answer: as text, or base64 for anything a
/// JSON string cannot carry unchanged (protobuf, gzip, images, text in another charset).
/// </summary>
internal static class ResponseEncoding
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Text types: <c>text/*</c>, <c>application/json</c>, <c>application/xml</c> and the <c>+json</c>/<c>+xml</c>
    /// suffixes, in UTF-8 (or no charset) and not content-encoded. Everything else is binary.
    /// </summary>
    public static bool IsText(string? contentType, string? contentEncoding)
    {
        if (!string.IsNullOrWhiteSpace(contentEncoding) && !contentEncoding.Trim().Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var charset = media.Charset.Value;
        if (charset is not null
            && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var type = media.Type.Value ?? "";
        var subType = media.SubType.Value ?? "";
        if (type.Equals("text", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (!type.Equals("application", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return subType.Equals("json", StringComparison.OrdinalIgnoreCase)
            || subType.Equals("xml", StringComparison.OrdinalIgnoreCase)
            || subType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)
            || subType.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The body as a JSON string value and whether it is base64.</summary>
    public static (string Body, bool IsBase64) Encode(ReadOnlySpan<byte> body, string? contentType, string? contentEncoding)
    {
        if (body.IsEmpty)
        {
            return ("", false);
        }
        if (IsText(contentType, contentEncoding))
        {
            try
            {
                return (StrictUtf8.GetString(body), false);
            }
            catch (DecoderFallbackException)
            {
                // Declared as text but not UTF-8: base64 keeps every byte.
            }
        }
        return (Convert.ToBase64String(body), true);
    }
}
