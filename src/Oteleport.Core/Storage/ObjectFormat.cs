using System.IO.Compression;
using System.Text.Json;
using Google.Protobuf;
using Oteleport.Otlp.Json;
using Oteleport.Signals;
using Oteleport.Storage.Flatten;

namespace Oteleport.Storage;

/// <summary>
/// The bytes of a stored object: an OTLP JSON document (TracesData / MetricsData / LogsData) or JSON
/// lines of flattened records, gzip-compressed or not. Readers accept every form in any mix.
/// </summary>
internal static class ObjectFormat
{
    public const string JsonContentType = "application/json";

    public static ReadOnlyMemory<byte> EncodeDocument(IMessage document, bool gzip, CompressionLevel level = CompressionLevel.Fastest)
    {
        var json = OtlpJson.Serialize(document);
        return gzip ? Compress(json, level) : json;
    }

    /// <summary>The content of a flatten object: one JSON line per record.</summary>
    public static ReadOnlyMemory<byte> EncodeFlatten(SignalType signal, IReadOnlyList<SignalRecord> records, bool gzip, CompressionLevel level = CompressionLevel.Fastest)
    {
        var lines = FlattenWriter.Encode(signal, records);
        return gzip ? Compress(lines, level) : lines;
    }

    public static ObjectMetadata Metadata(bool gzip) => new(JsonContentType, gzip ? "gzip" : null);

    public static byte[] Compress(ReadOnlySpan<byte> content, CompressionLevel level)
    {
        using var output = new MemoryStream(content.Length / 4 + 64);
        using (var gz = new GZipStream(output, level, leaveOpen: true))
        {
            gz.Write(content);
        }
        return output.ToArray();
    }

    /// <summary>Reads an object whole, undoing gzip when its content starts with the gzip magic bytes.</summary>
    public static async Task<byte[]> ReadContentAsync(Stream stored, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await stored.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
        {
            using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var plain = new MemoryStream(bytes.Length * 6);
            await gz.CopyToAsync(plain, cancellationToken).ConfigureAwait(false);
            return plain.ToArray();
        }
        return bytes;
    }

    /// <summary>True when the content is one OTLP document rather than flattened JSON lines.</summary>
    public static bool IsDocument(ReadOnlySpan<byte> json, string resourceFieldJsonName, string resourceFieldProtoName)
    {
        if (json is [0xEF, 0xBB, 0xBF, ..])
        {
            json = json[3..]; // a byte order mark, which both parsers skip too
        }
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, AllowMultipleValues = true });
        if (!reader.Read())
        {
            return true; // empty content: an empty document
        }
        if (reader.TokenType != JsonTokenType.StartObject || !reader.Read())
        {
            throw new InvalidDataException("a stored object must hold a JSON object");
        }
        // "{}" alone is an empty document, "{}" followed by more lines a record with no field set; a
        // document's first member names its resource list.
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            return !reader.Read();
        }
        return reader.ValueTextEquals(resourceFieldJsonName)
            || reader.ValueTextEquals(resourceFieldProtoName);
    }

    public static string ResourceFieldJsonName(SignalType signal) => signal switch
    {
        SignalType.Traces => "resourceSpans",
        SignalType.Metrics => "resourceMetrics",
        _ => "resourceLogs",
    };

    public static string ResourceFieldProtoName(SignalType signal) => signal switch
    {
        SignalType.Traces => "resource_spans",
        SignalType.Metrics => "resource_metrics",
        _ => "resource_logs",
    };
}
