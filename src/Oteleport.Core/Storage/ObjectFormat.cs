using System.Buffers;
using System.Runtime.InteropServices;
using System.IO.Compression;
using System.Text.Json;
using Google.Protobuf;
using Oteleport.Otlp.Json;
using Oteleport.Signals;
using Oteleport.Storage.Flatten;
using Oteleport.Storage.Writing;

namespace Oteleport.Storage;

/// <summary>
/// The bytes of a stored object: an OTLP JSON document (TracesData / MetricsData / LogsData) or JSON
/// lines of flattened records, gzip-compressed or not. Readers accept every form in any mix.
/// </summary>
internal static class ObjectFormat
{
    public const string JsonContentType = "application/json";

    /// <summary>JSON fragments at least this long are compressed by the thread that encoded them.</summary>
    internal const int CompressFragmentBytes = 16 * 1024;

    // As OtlpJson.Serialize: compact, UTF-8 text unescaped, only what JSON requires escaped.
    private static readonly JsonWriterOptions FragmentOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

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

    /// <summary>
    /// Encodes records of one partition as a fragment of an object: the resource list elements of a
    /// document (<paramref name="document"/> holds exactly these records) or flatten lines. With gzip, a
    /// fragment of at least <see cref="CompressFragmentBytes"/> is compressed here as a gzip member.
    /// </summary>
    public static EncodedFragment EncodeFragment(SignalType signal, IMessage? document, IReadOnlyList<SignalRecord> records, bool flatten, bool gzip, CompressionLevel level)
    {
        var json = new PooledBuffer(Math.Clamp(records.Count * 1024, 4096, 1 << 20));
        try
        {
            using var writer = new Utf8JsonWriter((IBufferWriter<byte>)json, FragmentOptions);
            if (flatten)
            {
                for (var i = 0; i < records.Count; i++)
                {
                    if (i > 0)
                    {
                        json.Append("\n"u8);
                    }
                    writer.Reset((IBufferWriter<byte>)json);
                    OtlpJson.Write(writer, FlattenRecords.ToFlatten(signal, records[i]));
                    writer.Flush();
                }
            }
            else
            {
                var resources = (System.Collections.IList)document!.Descriptor.Fields[1].Accessor.GetValue(document);
                for (var i = 0; i < resources.Count; i++)
                {
                    if (i > 0)
                    {
                        json.Append(","u8);
                    }
                    writer.Reset((IBufferWriter<byte>)json);
                    OtlpJson.Write(writer, (IMessage)resources[i]!);
                    writer.Flush();
                }
            }
            if (!gzip || json.WrittenCount < CompressFragmentBytes)
            {
                return new EncodedFragment(json, records.Count, compressed: false);
            }
            var compressed = new PooledBuffer(json.WrittenCount / 4 + 256);
            using (var gz = new GZipStream(compressed, level, leaveOpen: true))
            {
                gz.Write(json.WrittenSpan);
            }
            json.Dispose();
            return new EncodedFragment(compressed, records.Count, compressed: true);
        }
        catch
        {
            json.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One object from the fragments of a batch, in order. With gzip the result is a series of gzip
    /// members (RFC 1952 allows any number; gzip, zcat, Go, Python, .NET and Athena read them as one
    /// stream): the fragments compressed by their encoders as they are, everything between them (the
    /// document's opening and closing, separators, small fragments) compressed here.
    /// </summary>
    public static PooledBuffer Assemble(SignalType signal, IReadOnlyList<EncodedFragment> fragments, bool flatten, bool gzip, CompressionLevel level)
    {
        var size = 64;
        foreach (var fragment in fragments)
        {
            size += fragment.Content.WrittenCount + 1;
        }
        var output = new PooledBuffer(gzip ? size / 3 : size);
        GZipStream? plainRun = null;
        try
        {
            void Plain(ReadOnlySpan<byte> bytes)
            {
                if (!gzip)
                {
                    output.Append(bytes);
                    return;
                }
                plainRun ??= new GZipStream(output, level, leaveOpen: true);
                plainRun.Write(bytes);
            }
            if (!flatten)
            {
                Plain(DocumentOpening(signal));
            }
            for (var i = 0; i < fragments.Count; i++)
            {
                if (i > 0)
                {
                    Plain(flatten ? "\n"u8 : ","u8);
                }
                var fragment = fragments[i];
                if (fragment.Compressed)
                {
                    plainRun?.Dispose(); // ends the member before this one
                    plainRun = null;
                    output.Append(fragment.Content.WrittenSpan);
                }
                else
                {
                    Plain(fragment.Content.WrittenSpan);
                }
            }
            if (!flatten)
            {
                Plain("]}"u8);
            }
            plainRun?.Dispose();
            return output;
        }
        catch
        {
            plainRun?.Dispose();
            output.Dispose();
            throw;
        }
    }

    private static ReadOnlySpan<byte> DocumentOpening(SignalType signal) => signal switch
    {
        SignalType.Traces => "{\"resourceSpans\":["u8,
        SignalType.Metrics => "{\"resourceMetrics\":["u8,
        _ => "{\"resourceLogs\":["u8,
    };

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

    /// <summary>
    /// Reads an object into a pooled buffer (dispose it), undoing gzip (one or more members) when the
    /// content starts with the gzip magic bytes. <paramref name="sizeHint"/> is the stored size when known.
    /// </summary>
    public static async Task<PooledBuffer> ReadContentAsync(Stream stored, long sizeHint, CancellationToken cancellationToken)
    {
        if (sizeHint <= 0 && stored.CanSeek)
        {
            sizeHint = stored.Length; // one read of the whole file rather than a doubling buffer's many
        }
        var raw = new PooledBuffer((int)Math.Clamp(sizeHint + 1, 4096, 64 << 20));
        try
        {
            if (stored.CanSeek)
            {
                // A local file (or memory): read in the calling thread, which a fetch runs on the pool already.
                raw.AppendSync(stored);
            }
            else
            {
                await raw.AppendAsync(stored, cancellationToken).ConfigureAwait(false);
            }
            var bytes = raw.WrittenMemory;
            if (bytes.Length < 2 || bytes.Span[0] != 0x1f || bytes.Span[1] != 0x8b)
            {
                return raw;
            }
            var plain = new PooledBuffer((int)Math.Min(bytes.Length * 8L, 256 << 20));
            try
            {
                MemoryMarshal.TryGetArray(bytes, out var segment);
                // From memory to memory: nothing to wait for.
                using var gz = new GZipStream(new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false), CompressionMode.Decompress);
                plain.AppendSync(gz);
            }
            catch
            {
                plain.Dispose();
                throw;
            }
            raw.Dispose();
            return plain;
        }
        catch
        {
            raw.Dispose();
            throw;
        }
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
