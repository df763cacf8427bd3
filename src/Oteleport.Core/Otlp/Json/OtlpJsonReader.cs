using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Oteleport.Otlp.Json;

/// <summary>
/// Reads OTLP JSON into any generated protobuf message, driven by its descriptor.
/// Errors are raised where they happen with a path relative to the value being read; each enclosing
/// level puts its own field name or array index in front while the exception travels out, so the
/// success path does no path bookkeeping at all.
/// </summary>
internal static class OtlpJsonReader
{
    /// <summary>Tests only: read every message through the generic path, to compare it with the fast one.</summary>
    [ThreadStatic]
    internal static bool t_genericOnly;

    private const NumberStyles FloatStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    // Longest text worth examining for a number, an id or an enum name; longer text is rejected outright.
    private const int ScratchSize = 256;

    /// <summary>Reads the object the reader is on (a <see cref="JsonTokenType.StartObject"/>) into <paramref name="target"/>; leaves the reader on its EndObject.</summary>
    public static void ReadMessage(ref Utf8JsonReader reader, IMessage target, JsonMessageTable table)
    {
        var fields = table.Fields;
        var hint = 0;
        try
        {
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return;
                }

                var index = FindField(reader, table, hint);
                if (index < 0)
                {
                    SkipUnknown(ref reader);
                    continue;
                }

                var field = fields[index];
                hint = index + 1;
                try
                {
                    Next(ref reader);
                    ReadField(ref reader, target, field);
                }
                catch (OtlpJsonException e)
                {
                    throw e.Within(field.JsonName);
                }
                catch (JsonException e)
                {
                    throw Malformed(field.JsonName, e);
                }
                catch (InvalidOperationException e)
                {
                    throw BadText(field.JsonName, e);
                }
            }
        }
        catch (JsonException e)
        {
            throw Malformed("", e);
        }
        catch (InvalidOperationException e)
        {
            throw BadText("", e);
        }
    }

    /// <summary>Turns the JSON reader's own error (malformed or truncated JSON) into ours.</summary>
    public static OtlpJsonException Malformed(string path, JsonException e) =>
        new(path, "invalid JSON: " + e.Message, e);

    /// <summary>
    /// The JSON reader's error when a string cannot be turned into text: invalid UTF-8, or an escaped
    /// lone surrogate (<c>\ud800</c>). Only string contents are transcoded, so only they raise it.
    /// </summary>
    private static OtlpJsonException BadText(string path, InvalidOperationException e) =>
        new(path, "invalid string: " + e.Message, e);

    /// <summary>Advances the reader; the end of the data in the middle of a value is an error.</summary>
    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new OtlpJsonException("", "unexpected end of JSON");
        }
    }

    private static int FindField(in Utf8JsonReader reader, JsonMessageTable table, int hint)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return table.FindField(reader.ValueSpan, hint);
        }
        Span<byte> scratch = stackalloc byte[ScratchSize];
        try
        {
            return TryUnescape(reader, scratch, out var name) ? table.FindField(name, hint) : -1;
        }
        catch (InvalidOperationException)
        {
            return -1; // not valid text (an escaped lone surrogate): not a field name
        }
    }

    private static void SkipUnknown(ref Utf8JsonReader reader)
    {
        // Unknown fields are rare, so naming one for a possible error costs nothing that matters.
        string name;
        try
        {
            name = reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            name = "?"; // a name that is not valid text cannot be a known field either: skipped all the same
        }
        try
        {
            if (!reader.TrySkip())
            {
                throw new OtlpJsonException("", "incomplete JSON (the reader does not hold the whole value)");
            }
        }
        catch (OtlpJsonException e)
        {
            throw e.Within(name);
        }
        catch (JsonException e)
        {
            throw Malformed(name, e);
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, IMessage target, JsonField field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return; // null means "not set"
        }
        if (!field.IsRepeated)
        {
            field.Accessor.SetValue(target, ReadValue(ref reader, field));
            return;
        }
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw WrongType("an array", reader.TokenType);
        }

        var list = (IList)field.Accessor.GetValue(target);
        var index = 0;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return;
            }
            try
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    throw new OtlpJsonException("", "null is not allowed in an array");
                }
                // The common numeric lists are filled without boxing each element.
                switch (list)
                {
                    case RepeatedField<ulong> unsigned64 when field.Kind == FieldJsonKind.UInt64:
                        unsigned64.Add(ReadUInt64(reader, ulong.MaxValue, "uint64"));
                        break;
                    case RepeatedField<double> doubles when field.Kind == FieldJsonKind.Double:
                        doubles.Add(ReadDouble(reader));
                        break;
                    default:
                        list.Add(ReadValue(ref reader, field));
                        break;
                }
            }
            catch (OtlpJsonException e)
            {
                throw e.Within(IndexSegment(index));
            }
            catch (JsonException e)
            {
                throw Malformed(IndexSegment(index), e);
            }
            catch (InvalidOperationException e)
            {
                throw BadText(IndexSegment(index), e);
            }
            index++;
        }
    }

    private static string IndexSegment(int index) => "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    /// <summary>Reads one non-null value of the field's type from the current token.</summary>
    private static object ReadValue(ref Utf8JsonReader reader, JsonField field)
    {
        switch (field.Kind)
        {
            case FieldJsonKind.Double:
                return ReadDouble(reader);
            case FieldJsonKind.Float:
                return ReadFloat(reader);
            case FieldJsonKind.Int32:
                return (int)ReadInt64(reader, int.MinValue, int.MaxValue, "int32");
            case FieldJsonKind.UInt32:
                return (uint)ReadUInt64(reader, uint.MaxValue, "uint32");
            case FieldJsonKind.Int64:
                return ReadInt64(reader, long.MinValue, long.MaxValue, "int64");
            case FieldJsonKind.UInt64:
                return ReadUInt64(reader, ulong.MaxValue, "uint64");
            case FieldJsonKind.Bool:
                return reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => throw WrongType("true or false", reader.TokenType),
                };
            case FieldJsonKind.String:
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw WrongType("a string", reader.TokenType);
                }
                return reader.GetString()!;
            case FieldJsonKind.Hex:
                return ReadHex(reader, field.HexLength);
            case FieldJsonKind.Base64:
                return ReadBase64(reader);
            case FieldJsonKind.Enum:
                return ReadEnum(reader, field);
            case FieldJsonKind.Message:
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw WrongType("an object", reader.TokenType);
                }
                var table = field.MessageTable;
                if (!t_genericOnly && OtlpJsonTraceReader.Handles(table))
                {
                    // The fast reader takes the canonical form; anything else is read again from here.
                    var saved = reader;
                    if (OtlpJsonTraceReader.TryRead(ref reader, table, out var fast))
                    {
                        return fast;
                    }
                    reader = saved;
                }
                var message = table.CreateMessage();
                ReadMessage(ref reader, message, table);
                return message;
            default:
                throw new System.Diagnostics.UnreachableException($"Unhandled field kind {field.Kind}.");
        }
    }

    private static long ReadInt64(in Utf8JsonReader reader, long min, long max, string typeName)
    {
        Span<byte> scratch = stackalloc byte[ScratchSize];
        var text = NumberText(reader, scratch, typeName);
        long value;
        if (Utf8Parser.TryParse(text, out long parsed, out var consumed) && consumed == text.Length)
        {
            value = parsed;
        }
        else
        {
            // Exponent or fraction forms ("1e3", "5.0") are accepted when they denote an integer.
            value = (long)ParseIntegral(text, min, max, typeName);
        }
        if (value < min || value > max)
        {
            throw OutOfRange(text, typeName);
        }
        return value;
    }

    private static ulong ReadUInt64(in Utf8JsonReader reader, ulong max, string typeName)
    {
        Span<byte> scratch = stackalloc byte[ScratchSize];
        var text = NumberText(reader, scratch, typeName);
        ulong value;
        if (Utf8Parser.TryParse(text, out ulong parsed, out var consumed) && consumed == text.Length)
        {
            value = parsed;
        }
        else
        {
            value = (ulong)ParseIntegral(text, 0, max, typeName);
        }
        if (value > max)
        {
            throw OutOfRange(text, typeName);
        }
        return value;
    }

    private static decimal ParseIntegral(ReadOnlySpan<byte> text, decimal min, decimal max, string typeName)
    {
        if (decimal.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out var d))
        {
            if (decimal.Truncate(d) != d)
            {
                throw new OtlpJsonException("", $"expected an integer ({typeName}), got {Preview(text)}");
            }
            if (d < min || d > max)
            {
                throw OutOfRange(text, typeName);
            }
            return d;
        }
        if (double.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out _))
        {
            throw OutOfRange(text, typeName); // a number, but beyond decimal's range
        }
        throw new OtlpJsonException("", $"expected an integer ({typeName}), got {Preview(text)}");
    }

    /// <summary>The text of a number token, or the content of a string token holding a number.</summary>
    private static ReadOnlySpan<byte> NumberText(in Utf8JsonReader reader, Span<byte> scratch, string typeName)
    {
        if (reader.TokenType is not (JsonTokenType.Number or JsonTokenType.String))
        {
            throw WrongType($"a number ({typeName})", reader.TokenType);
        }
        if (!TryUnescape(reader, scratch, out var text))
        {
            throw new OtlpJsonException("", $"expected a number ({typeName}), got a string too long to be one");
        }
        return text;
    }

    private static double ReadDouble(in Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetDouble(out var number) && double.IsFinite(number))
            {
                return number;
            }
            throw new OtlpJsonException("", "number is out of range for double");
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType("a number", reader.TokenType);
        }

        Span<byte> scratch = stackalloc byte[ScratchSize];
        if (!TryUnescape(reader, scratch, out var text))
        {
            throw new OtlpJsonException("", "expected a number, got a string too long to be one");
        }
        if (text.SequenceEqual("NaN"u8))
        {
            return double.NaN;
        }
        if (text.SequenceEqual("Infinity"u8))
        {
            return double.PositiveInfinity;
        }
        if (text.SequenceEqual("-Infinity"u8))
        {
            return double.NegativeInfinity;
        }
        if (double.TryParse(text, FloatStyle, CultureInfo.InvariantCulture, out var value))
        {
            if (double.IsFinite(value))
            {
                return value;
            }
            throw OutOfRange(text, "double");
        }
        throw new OtlpJsonException("", $"expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got {Preview(text)}");
    }

    private static float ReadFloat(in Utf8JsonReader reader)
    {
        var value = ReadDouble(reader);
        if (double.IsFinite(value) && Math.Abs(value) > float.MaxValue)
        {
            throw new OtlpJsonException("", $"{value.ToString(CultureInfo.InvariantCulture)} is out of range for float");
        }
        return (float)value;
    }

    /// <summary>
    /// Reads a hex id. <paramref name="byteLength"/> (16 for trace ids, 8 for span ids) is what senders
    /// use, but other even lengths are accepted: an id that arrived over protobuf with another length is
    /// stored as hex and must read back, or the whole stored object would be lost.
    /// </summary>
    private static ByteString ReadHex(in Utf8JsonReader reader, int byteLength)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType("a string of hex digits", reader.TokenType);
        }
        var digits = byteLength * 2;
        Span<byte> scratch = stackalloc byte[ScratchSize];
        if (!TryUnescape(reader, scratch, out var text))
        {
            throw new OtlpJsonException("", $"expected {digits} hex digits, got a longer string");
        }
        if (text.Length == 0)
        {
            return ByteString.Empty;
        }
        if (text.Length % 2 != 0)
        {
            throw new OtlpJsonException("", $"expected {digits} hex digits, got {text.Length} characters");
        }
        var bytes = new byte[text.Length / 2];
        if (!Hex.TryDecode(text, bytes))
        {
            throw new OtlpJsonException("", $"expected {digits} hex digits, got {Preview(text)}");
        }
        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    private static ByteString ReadBase64(in Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType("a base64 string", reader.TokenType);
        }
        // Standard padded base64, the form writers use: decoded straight by the JSON reader.
        if (reader.TryGetBytesFromBase64(out var standard))
        {
            return UnsafeByteOperations.UnsafeWrap(standard);
        }

        // Otherwise: URL-safe alphabet and/or missing padding. Normalise into a pooled buffer and decode in place.
        var raw = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = ArrayPool<byte>.Shared.Rent(raw + 3);
        try
        {
            int length;
            if (!reader.HasValueSequence && !reader.ValueIsEscaped)
            {
                reader.ValueSpan.CopyTo(rented);
                length = raw;
            }
            else
            {
                length = reader.CopyString(rented);
            }
            var text = rented.AsSpan(0, length);
            for (var i = 0; i < text.Length; i++)
            {
                switch (text[i])
                {
                    case (byte)'-':
                        text[i] = (byte)'+';
                        break;
                    case (byte)'_':
                        text[i] = (byte)'/';
                        break;
                }
            }
            if (length % 4 == 1)
            {
                throw new OtlpJsonException("", "invalid base64");
            }
            while (length % 4 != 0)
            {
                rented[length++] = (byte)'=';
            }
            var status = Base64.DecodeFromUtf8InPlace(rented.AsSpan(0, length), out var written);
            if (status != OperationStatus.Done)
            {
                throw new OtlpJsonException("", "invalid base64");
            }
            return ByteString.CopyFrom(rented.AsSpan(0, written));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static object ReadEnum(in Utf8JsonReader reader, JsonField field)
    {
        var names = field.EnumNames!;
        if (reader.TokenType == JsonTokenType.Number)
        {
            // Unknown numbers are kept, as protobuf does for open enums.
            return names.Box((int)ReadInt64(reader, int.MinValue, int.MaxValue, "enum"));
        }
        if (reader.TokenType != JsonTokenType.String)
        {
            throw WrongType("an enum number or name", reader.TokenType);
        }
        Span<byte> scratch = stackalloc byte[ScratchSize];
        if (TryUnescape(reader, scratch, out var text))
        {
            if (names.TryGetNumber(text, out var number))
            {
                return names.Box(number);
            }
            // A quoted number ("2") is read as the number.
            if (Utf8Parser.TryParse(text, out int quoted, out var consumed) && consumed == text.Length)
            {
                return names.Box(quoted);
            }
        }
        throw new OtlpJsonException("", $"unknown {field.Descriptor.EnumType.Name} value {Preview(text)}");
    }

    /// <summary>
    /// The unescaped UTF-8 of the current string, property name or number token: the reader's own
    /// span when possible, else a copy in <paramref name="scratch"/>. False when it does not fit.
    /// </summary>
    private static bool TryUnescape(in Utf8JsonReader reader, Span<byte> scratch, out ReadOnlySpan<byte> text)
    {
        if (!reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            text = reader.ValueSpan;
            return true;
        }
        var rawLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (rawLength > scratch.Length)
        {
            text = default;
            return false;
        }
        if (reader.TokenType == JsonTokenType.Number)
        {
            reader.ValueSequence.CopyTo(scratch); // numbers are never escaped, only possibly split
            text = scratch[..(int)rawLength];
            return true;
        }
        text = scratch[..reader.CopyString(scratch)];
        return true;
    }

    private static OtlpJsonException WrongType(string expected, JsonTokenType actual) =>
        new("", $"expected {expected}, got {Describe(actual)}");

    private static OtlpJsonException OutOfRange(ReadOnlySpan<byte> text, string typeName) =>
        new("", $"{Preview(text)} is out of range for {typeName}");

    internal static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.EndArray => "the end of an array",
        JsonTokenType.EndObject => "the end of an object",
        _ => token.ToString(),
    };

    /// <summary>The offending text, quoted and shortened, for an error message.</summary>
    private static string Preview(ReadOnlySpan<byte> text)
    {
        const int Max = 40;
        var shown = text.Length > Max ? text[..Max] : text;
        return "\"" + Encoding.UTF8.GetString(shown) + (text.Length > Max ? "...\"" : "\"");
    }
}
