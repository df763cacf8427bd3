using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Oteleport.Otlp.Json;
using Oteleport.Signals;

namespace Oteleport.Storage.Flatten;

/// <summary>
/// Writes the content of a flatten object: one OTLP JSON line per record (FlattenSpan, FlattenDataPoint,
/// FlattenLogRecord), lines separated by <c>\n</c> without a final one, as the Go server writes them.
/// </summary>
internal static class FlattenWriter
{
    // As OtlpJson.Serialize: compact, UTF-8 text unescaped, only what JSON requires escaped.
    private static readonly JsonWriterOptions LineOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    public static byte[] Encode(SignalType signal, IReadOnlyList<SignalRecord> records)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, records.Count * 512));
        using var writer = new Utf8JsonWriter(output, LineOptions);
        for (var i = 0; i < records.Count; i++)
        {
            if (i > 0)
            {
                output.Write("\n"u8);
            }
            OtlpJson.Write(writer, FlattenRecords.ToFlatten(signal, records[i]));
            writer.Flush();
            writer.Reset();
        }
        return output.WrittenSpan.ToArray();
    }
}
