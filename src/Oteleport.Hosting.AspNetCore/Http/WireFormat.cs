using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Oteleport.Otlp.Json;

namespace Oteleport.Hosting.AspNetCore.Http;

/// <summary>The two encodings of OTLP/HTTP and the REST API: binary protobuf and OTLP JSON.</summary>
internal sealed record WireFormat(bool IsJson, string MediaType)
{
    public static readonly WireFormat Json = new(true, "application/json");
    public static readonly WireFormat Protobuf = new(false, "application/x-protobuf");
    // The Go server answers the REST API with this spelling; both are accepted on input.
    public static readonly WireFormat ProtobufAlt = new(false, "application/protobuf");

    /// <summary>The request body's format from Content-Type, or null when unsupported.</summary>
    public static WireFormat? FromContentType(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return null;
        }
        return FromMediaType(media.MediaType.Value);
    }

    private static WireFormat? FromMediaType(string? mediaType) => mediaType?.ToLowerInvariant() switch
    {
        "application/json" => Json,
        "application/x-protobuf" => Protobuf,
        "application/protobuf" => ProtobufAlt,
        _ => null,
    };

    /// <summary>
    /// The response format: the first supported type of Accept (by quality), the request's own format
    /// when Accept is absent or a wildcard, else JSON (as the Go server).
    /// </summary>
    public static WireFormat ForResponse(HttpRequest request, WireFormat? requestFormat)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Count == 0)
        {
            return requestFormat ?? Json;
        }
        foreach (var media in accept.OrderByDescending(a => a.Quality ?? 1.0))
        {
            if (media.MatchesAllTypes || media.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                return requestFormat ?? Json;
            }
            if (FromMediaType(media.MediaType.Value) is { } format)
            {
                return format;
            }
        }
        return Json;
    }

    public byte[] Encode(IMessage message) => IsJson ? OtlpJson.Serialize(message) : message.ToByteArray();

    /// <summary>Encodes straight into <paramref name="output"/> (a response's PipeWriter): no intermediate array.</summary>
    public void EncodeTo(IMessage message, System.Buffers.IBufferWriter<byte> output)
    {
        if (IsJson)
        {
            OtlpJson.SerializeTo(output, message);
        }
        else
        {
            // Sized first: an empty message writes nothing, and a pipe must not be advanced without a buffer.
            var size = message.CalculateSize();
            if (size > 0)
            {
                var span = output.GetSpan(size)[..size];
                message.WriteTo(span);
                output.Advance(size);
            }
        }
    }

    /// <summary>Decodes a body; the message keeps no reference to <paramref name="body"/>.</summary>
    public T Decode<T>(ReadOnlyMemory<byte> body) where T : IMessage<T>, new()
    {
        if (IsJson)
        {
            return OtlpJson.Parse<T>(body.Span);
        }
        var message = new T();
        message.MergeFrom(body.Span);
        return message;
    }
}
