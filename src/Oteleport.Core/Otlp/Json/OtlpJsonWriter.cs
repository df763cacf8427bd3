using System.Buffers;
using System.Buffers.Text;
using System.Collections;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Oteleport.Otlp.Json;

/// <summary>Writes any generated protobuf message as OTLP JSON, driven by its descriptor.</summary>
internal static class OtlpJsonWriter
{
    private static readonly JsonEncodedText NaN = JsonEncodedText.Encode("NaN");
    private static readonly JsonEncodedText PositiveInfinity = JsonEncodedText.Encode("Infinity");
    private static readonly JsonEncodedText NegativeInfinity = JsonEncodedText.Encode("-Infinity");

    /// <summary>Tests only: write every message through the generic path, to compare it with the hand-written one.</summary>
    [ThreadStatic]
    internal static bool t_genericOnly;

    public static void WriteMessage(Utf8JsonWriter writer, IMessage message, JsonMessageTable table)
    {
        if (!t_genericOnly && OtlpJsonTraceWriter.TryWrite(writer, message))
        {
            return;
        }
        WriteGeneric(writer, message, table);
    }

    /// <summary>Writes the message field by field through its descriptor.</summary>
    public static void WriteGeneric(Utf8JsonWriter writer, IMessage message, JsonMessageTable table)
    {
        writer.WriteStartObject();
        var slots = table.Slots;
        for (var i = 0; i < slots.Length; i++)
        {
            var slot = slots[i];
            if (slot.Oneof is { } oneof)
            {
                // A set oneof member is written even when it holds its type's default value.
                var caseField = oneof.GetCaseFieldDescriptor(message);
                if (caseField is not null)
                {
                    var field = table.FieldOf(caseField);
                    writer.WritePropertyName(field.EncodedJsonName);
                    WriteSingle(writer, field, field.Accessor.GetValue(message));
                }
                continue;
            }

            var f = slot.Field!;
            if (f.IsRepeated)
            {
                var list = (IList)f.Accessor.GetValue(message);
                if (list.Count != 0)
                {
                    writer.WritePropertyName(f.EncodedJsonName);
                    WriteList(writer, f, list);
                }
            }
            else if (f.TracksPresence)
            {
                if (f.Accessor.HasValue(message))
                {
                    writer.WritePropertyName(f.EncodedJsonName);
                    WriteSingle(writer, f, f.Accessor.GetValue(message));
                }
            }
            else
            {
                var value = f.Accessor.GetValue(message);
                if (!IsDefault(f.Kind, value))
                {
                    writer.WritePropertyName(f.EncodedJsonName);
                    WriteSingle(writer, f, value);
                }
            }
        }
        writer.WriteEndObject();
    }

    /// <summary>Whether an implicit-presence value is its type's default (and so is omitted).</summary>
    private static bool IsDefault(FieldJsonKind kind, object? value) => kind switch
    {
        // Bitwise: -0.0 is not the default and survives a round trip.
        FieldJsonKind.Double => BitConverter.DoubleToInt64Bits((double)value!) == 0,
        FieldJsonKind.Float => BitConverter.SingleToInt32Bits((float)value!) == 0,
        FieldJsonKind.Int32 => (int)value! == 0,
        FieldJsonKind.UInt32 => (uint)value! == 0,
        FieldJsonKind.Int64 => (long)value! == 0,
        FieldJsonKind.UInt64 => (ulong)value! == 0,
        FieldJsonKind.Bool => !(bool)value!,
        FieldJsonKind.String => ((string)value!).Length == 0,
        FieldJsonKind.Base64 or FieldJsonKind.Hex => ((ByteString)value!).IsEmpty,
        // A boxed enum unboxes to its underlying int.
        FieldJsonKind.Enum => (int)value! == 0,
        FieldJsonKind.Message => value is null,
        _ => false,
    };

    private static void WriteList(Utf8JsonWriter writer, JsonField field, IList list)
    {
        writer.WriteStartArray();
        // The common numeric lists (bucket counts, bounds) are written without boxing each element.
        switch (list)
        {
            case RepeatedField<ulong> unsigned64:
                foreach (var v in unsigned64)
                {
                    WriteUInt64(writer, v);
                }
                break;
            case RepeatedField<long> signed64:
                foreach (var v in signed64)
                {
                    WriteInt64(writer, v);
                }
                break;
            case RepeatedField<double> doubles:
                foreach (var v in doubles)
                {
                    WriteDouble(writer, v);
                }
                break;
            default:
                for (var i = 0; i < list.Count; i++)
                {
                    WriteSingle(writer, field, list[i]);
                }
                break;
        }
        writer.WriteEndArray();
    }

    private static void WriteSingle(Utf8JsonWriter writer, JsonField field, object? value)
    {
        switch (field.Kind)
        {
            case FieldJsonKind.Double:
                WriteDouble(writer, (double)value!);
                break;
            case FieldJsonKind.Float:
                WriteFloat(writer, (float)value!);
                break;
            case FieldJsonKind.Int32:
                writer.WriteNumberValue((int)value!);
                break;
            case FieldJsonKind.UInt32:
                writer.WriteNumberValue((uint)value!);
                break;
            case FieldJsonKind.Int64:
                WriteInt64(writer, (long)value!);
                break;
            case FieldJsonKind.UInt64:
                WriteUInt64(writer, (ulong)value!);
                break;
            case FieldJsonKind.Bool:
                writer.WriteBooleanValue((bool)value!);
                break;
            case FieldJsonKind.String:
                writer.WriteStringValue((string)value!);
                break;
            case FieldJsonKind.Base64:
                writer.WriteBase64StringValue(((ByteString)value!).Span);
                break;
            case FieldJsonKind.Hex:
                WriteHex(writer, ((ByteString)value!).Span);
                break;
            case FieldJsonKind.Enum:
                writer.WriteNumberValue((int)value!);
                break;
            case FieldJsonKind.Message:
                if (value is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    WriteMessage(writer, (IMessage)value, field.MessageTable);
                }
                break;
        }
    }

    internal static void WriteInt64(Utf8JsonWriter writer, long value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out var written);
        writer.WriteStringValue(buffer[..written]);
    }

    internal static void WriteUInt64(Utf8JsonWriter writer, ulong value)
    {
        Span<byte> buffer = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, buffer, out var written);
        writer.WriteStringValue(buffer[..written]);
    }

    internal static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(double.IsNaN(value) ? NaN : value > 0 ? PositiveInfinity : NegativeInfinity);
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(float.IsNaN(value) ? NaN : value > 0 ? PositiveInfinity : NegativeInfinity);
        }
    }

    internal static void WriteHex(Utf8JsonWriter writer, ReadOnlySpan<byte> bytes)
    {
        // Ids are 8 or 16 bytes; anything else that arrived over protobuf is still written as hex.
        var length = bytes.Length * 2;
        byte[]? rented = null;
        var buffer = length <= 256 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        Hex.EncodeUpper(bytes, buffer);
        writer.WriteStringValue(buffer);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
