using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Oteleport.Otlp.Json;

/// <summary>
/// OTLP JSON for any generated message of Oteleport (OTLP data and collector requests,
/// <c>google.rpc.Status</c>, the fetch API and the flattened records), as the OpenTelemetry
/// specification defines it on top of the protobuf JSON mapping:
/// lowerCamelCase field names (snake_case also read), enums as integers (names also read),
/// 64-bit integers as decimal strings (numbers also read), <c>traceId</c>/<c>spanId</c>/<c>parentSpanId</c>
/// as hexadecimal (written upper case, read in any case), other bytes as base64, default values omitted.
/// </summary>
/// <remarks>
/// Unlike Google.Protobuf's JSON formatter and parser, which write ids in base64 and enums by name,
/// this codec follows OTLP/JSON. It reads and writes through <see cref="Utf8JsonReader"/> and
/// <see cref="Utf8JsonWriter"/> directly. Reading errors are <see cref="OtlpJsonException"/>s naming the JSON path.
/// </remarks>
public static class OtlpJson
{
    /// <summary>Nesting depth allowed when parsing a whole document (attribute values nest).</summary>
    internal const int MaxDepth = 128;

    /// <summary>
    /// Nesting depth allowed when reading back a stored object. Protobuf accepts messages 100 levels deep,
    /// and each level is at most an array and an object in JSON, so every record that a protobuf sender
    /// could have stored reads back (at <see cref="MaxDepth"/> deep attributes made the whole object unreadable).
    /// </summary>
    internal const int StoredMaxDepth = 256;

    // Documents are stored and sent, never embedded in HTML: non-ASCII text is written as UTF-8
    // rather than \u escapes, and only what JSON itself requires is escaped.
    private static readonly JsonWriterOptions SerializeOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    private static readonly JsonReaderOptions DocumentOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    private static readonly JsonReaderOptions StoredDocumentOptions = DocumentOptions with { MaxDepth = StoredMaxDepth };

    // Buffers above this size are not kept for reuse by the thread.
    private const int RetainedBufferSize = 1 << 20;

    [ThreadStatic]
    private static SerializeBuffer? t_buffer;

    /// <summary>Writes <paramref name="message"/> as one JSON object.</summary>
    /// <param name="writer">The writer; its own options (indentation, encoder) apply.</param>
    /// <param name="message">Any generated message.</param>
    public static void Write(Utf8JsonWriter writer, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(message);
        OtlpJsonWriter.WriteMessage(writer, message, JsonMessageTable.For(message.Descriptor));
    }

    /// <summary>Serializes <paramref name="message"/> as compact UTF-8 OTLP JSON.</summary>
    /// <param name="message">Any generated message.</param>
    /// <returns>The JSON document's bytes, without a byte order mark.</returns>
    public static byte[] Serialize(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var table = JsonMessageTable.For(message.Descriptor);
        var cached = t_buffer;
        t_buffer = null; // not shared with a nested call, should one ever happen
        var buffer = cached ?? new SerializeBuffer();
        try
        {
            buffer.Output.ResetWrittenCount();
            buffer.Writer.Reset(buffer.Output);
            OtlpJsonWriter.WriteMessage(buffer.Writer, message, table);
            buffer.Writer.Flush();
            return buffer.Output.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Output.Capacity <= RetainedBufferSize)
            {
                buffer.Output.ResetWrittenCount();
                t_buffer = buffer;
            }
        }
    }

    /// <summary>Writes <paramref name="message"/> as compact UTF-8 OTLP JSON straight into <paramref name="output"/> (e.g. a response's PipeWriter).</summary>
    internal static void SerializeTo(IBufferWriter<byte> output, IMessage message)
    {
        using var writer = new Utf8JsonWriter(output, SerializeOptions);
        OtlpJsonWriter.WriteMessage(writer, message, JsonMessageTable.For(message.Descriptor));
        writer.Flush();
    }

    /// <summary>Parses a whole OTLP JSON document: one object, optionally surrounded by whitespace (a UTF-8 byte order mark is skipped).</summary>
    /// <typeparam name="T">The message type, e.g. <c>TracesData</c> or <c>ExportTraceServiceRequest</c>.</typeparam>
    /// <param name="utf8Json">The document's UTF-8 bytes.</param>
    /// <returns>The message.</returns>
    /// <exception cref="OtlpJsonException">The document is not valid JSON, not one object, or not a valid <typeparamref name="T"/>.</exception>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Json) where T : IMessage<T>, new() => ParseDocument<T>(utf8Json, DocumentOptions);

    /// <summary>Parses a stored object's document, allowing the nesting of <see cref="StoredMaxDepth"/>.</summary>
    internal static T ParseStored<T>(ReadOnlySpan<byte> utf8Json) where T : IMessage<T>, new() => ParseDocument<T>(utf8Json, StoredDocumentOptions);

    private static T ParseDocument<T>(ReadOnlySpan<byte> utf8Json, JsonReaderOptions options) where T : IMessage<T>, new()
    {
        if (utf8Json is [0xEF, 0xBB, 0xBF, ..])
        {
            utf8Json = utf8Json[3..];
        }
        var reader = new Utf8JsonReader(utf8Json, options);
        var message = new T();
        ReadRoot(ref reader, message);
        try
        {
            if (reader.Read())
            {
                throw new OtlpJsonException("", "unexpected data after the JSON object");
            }
        }
        catch (JsonException e)
        {
            throw OtlpJsonReader.Malformed("", e);
        }
        return message;
    }

    /// <summary>
    /// Reads one JSON object as a message of type <paramref name="descriptor"/>, e.g. one value of a larger document.
    /// </summary>
    /// <param name="descriptor">The message type.</param>
    /// <param name="reader">
    /// A reader on the object's <see cref="JsonTokenType.StartObject"/>, or on the token just before it:
    /// not yet started, on the property name, on the start of the enclosing array or on the end of the
    /// previous element. It must hold the whole object (a final block); its <see cref="JsonReaderOptions.MaxDepth"/> applies.
    /// On return it is on the object's matching <see cref="JsonTokenType.EndObject"/>.
    /// </param>
    /// <returns>The message, an instance of the descriptor's generated type.</returns>
    /// <exception cref="OtlpJsonException">The JSON is malformed or not a valid message of that type.</exception>
    public static IMessage Parse(MessageDescriptor descriptor, ref Utf8JsonReader reader)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var table = JsonMessageTable.For(descriptor);
        var message = table.CreateMessage();
        ReadRoot(ref reader, message);
        return message;
    }

    /// <summary>Reads one JSON object as a <typeparamref name="T"/>; the reader is handled as by <see cref="Parse(MessageDescriptor, ref Utf8JsonReader)"/>.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="reader">A reader on (or before) the object; left on its matching EndObject.</param>
    /// <returns>The message.</returns>
    /// <exception cref="OtlpJsonException">The JSON is malformed or not a valid <typeparamref name="T"/>.</exception>
    public static T Parse<T>(ref Utf8JsonReader reader) where T : IMessage<T>, new()
    {
        var message = new T();
        ReadRoot(ref reader, message);
        return message;
    }

    private static void ReadRoot(ref Utf8JsonReader reader, IMessage message)
    {
        try
        {
            // Not on a value yet (a fresh reader, a property name, an array's start, the end of the
            // previous element): the object is the next token.
            if (reader.TokenType is JsonTokenType.None or JsonTokenType.PropertyName or JsonTokenType.StartArray
                or JsonTokenType.EndArray or JsonTokenType.EndObject or JsonTokenType.Comment)
            {
                if (!reader.Read())
                {
                    throw new OtlpJsonException("", "expected a JSON object, got the end of the input");
                }
            }
        }
        catch (JsonException e)
        {
            throw OtlpJsonReader.Malformed("", e);
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new OtlpJsonException("", $"expected a JSON object, got {OtlpJsonReader.Describe(reader.TokenType)}");
        }
        OtlpJsonReader.ReadMessage(ref reader, message, JsonMessageTable.For(message.Descriptor));
    }

    private sealed class SerializeBuffer
    {
        public SerializeBuffer()
        {
            Output = new ArrayBufferWriter<byte>(4096);
            Writer = new Utf8JsonWriter(Output, SerializeOptions);
        }

        public ArrayBufferWriter<byte> Output { get; }
        public Utf8JsonWriter Writer { get; }
    }
}
