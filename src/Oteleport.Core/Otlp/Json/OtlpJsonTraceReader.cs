using System.Buffers.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Otlp.Json;

/// <summary>
/// A fast reader for the messages that make up almost every byte of a trace document (Span with its
/// events, links and status; KeyValue; AnyValue), for the canonical form that OTLP JSON writers produce:
/// lowerCamelCase names, hex ids, 64-bit integers as decimal strings or numbers, enums and 32-bit integers
/// as numbers, no nulls. Anything else (proto names, enum names, special doubles, escaped ids, unknown
/// fields, errors) makes it give up, and the caller reads the same value again with the generic reader,
/// which accepts every form and reports errors with their path. So the result is always the generic
/// reader's, only sooner.
/// </summary>
internal static class OtlpJsonTraceReader
{
    /// <summary>Whether <paramref name="table"/> is a type this reader knows.</summary>
    public static bool Handles(JsonMessageTable table) =>
        ReferenceEquals(table.Descriptor, Span.Descriptor)
        || ReferenceEquals(table.Descriptor, KeyValue.Descriptor)
        || ReferenceEquals(table.Descriptor, AnyValue.Descriptor);

    /// <summary>
    /// Reads the object the reader is on; on success the reader is on its EndObject. On false the reader
    /// is left anywhere: the caller restores its copy and uses the generic reader.
    /// </summary>
    public static bool TryRead(ref Utf8JsonReader reader, JsonMessageTable table, out IMessage message)
    {
        try
        {
            if (ReferenceEquals(table.Descriptor, Span.Descriptor))
            {
                var span = new Span();
                message = span;
                return TryReadSpan(ref reader, span);
            }
            if (ReferenceEquals(table.Descriptor, KeyValue.Descriptor))
            {
                var keyValue = new KeyValue();
                message = keyValue;
                return TryReadKeyValue(ref reader, keyValue);
            }
            var value = new AnyValue();
            message = value;
            return TryReadAnyValue(ref reader, value);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            message = null!;
            return false;
        }
    }

    private static bool TryReadSpan(ref Utf8JsonReader reader, Span span)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return false;
            }
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }
            bool ok;
            switch (name.Length)
            {
                case 4 when name.SequenceEqual("name"u8):
                    ok = TryString(reader, out var spanName);
                    span.Name = spanName;
                    break;
                case 4 when name.SequenceEqual("kind"u8):
                    var kind = 0;
                    ok = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out kind);
                    span.Kind = (Span.Types.SpanKind)kind;
                    break;
                case 5 when name.SequenceEqual("flags"u8):
                    ok = TryUInt32(reader, out var flags);
                    span.Flags = flags;
                    break;
                case 6 when name.SequenceEqual("spanId"u8):
                    ok = TryHex(reader, out var spanId);
                    span.SpanId = spanId;
                    break;
                case 6 when name.SequenceEqual("events"u8):
                    ok = TryReadEvents(ref reader, span);
                    break;
                case 5 when name.SequenceEqual("links"u8):
                    ok = TryReadLinks(ref reader, span);
                    break;
                case 6 when name.SequenceEqual("status"u8):
                    var status = new Status();
                    ok = TryReadStatus(ref reader, status);
                    span.Status = status;
                    break;
                case 7 when name.SequenceEqual("traceId"u8):
                    ok = TryHex(reader, out var traceId);
                    span.TraceId = traceId;
                    break;
                case 10 when name.SequenceEqual("traceState"u8):
                    ok = TryString(reader, out var traceState);
                    span.TraceState = traceState;
                    break;
                case 10 when name.SequenceEqual("attributes"u8):
                    ok = TryReadKeyValues(ref reader, span.Attributes);
                    break;
                case 12 when name.SequenceEqual("parentSpanId"u8):
                    ok = TryHex(reader, out var parentSpanId);
                    span.ParentSpanId = parentSpanId;
                    break;
                case 15 when name.SequenceEqual("endTimeUnixNano"u8):
                    ok = TryUInt64(reader, out var end);
                    span.EndTimeUnixNano = end;
                    break;
                case 17 when name.SequenceEqual("startTimeUnixNano"u8):
                    ok = TryUInt64(reader, out var start);
                    span.StartTimeUnixNano = start;
                    break;
                case 17 when name.SequenceEqual("droppedLinksCount"u8):
                    ok = TryUInt32(reader, out var droppedLinks);
                    span.DroppedLinksCount = droppedLinks;
                    break;
                case 18 when name.SequenceEqual("droppedEventsCount"u8):
                    ok = TryUInt32(reader, out var droppedEvents);
                    span.DroppedEventsCount = droppedEvents;
                    break;
                case 22 when name.SequenceEqual("droppedAttributesCount"u8):
                    ok = TryUInt32(reader, out var droppedAttributes);
                    span.DroppedAttributesCount = droppedAttributes;
                    break;
                default:
                    return false;
            }
            if (!ok)
            {
                return false;
            }
        }
        return false;
    }

    private static bool TryReadEvents(ref Utf8JsonReader reader, Span span)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var e = new Span.Types.Event();
            while (true)
            {
                if (!reader.Read())
                {
                    return false;
                }
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }
                if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
                {
                    return false;
                }
                var name = reader.ValueSpan;
                if (!reader.Read())
                {
                    return false;
                }
                bool ok;
                if (name.SequenceEqual("timeUnixNano"u8))
                {
                    ok = TryUInt64(reader, out var time);
                    e.TimeUnixNano = time;
                }
                else if (name.SequenceEqual("name"u8))
                {
                    ok = TryString(reader, out var eventName);
                    e.Name = eventName;
                }
                else if (name.SequenceEqual("attributes"u8))
                {
                    ok = TryReadKeyValues(ref reader, e.Attributes);
                }
                else if (name.SequenceEqual("droppedAttributesCount"u8))
                {
                    ok = TryUInt32(reader, out var dropped);
                    e.DroppedAttributesCount = dropped;
                }
                else
                {
                    return false;
                }
                if (!ok)
                {
                    return false;
                }
            }
            span.Events.Add(e);
        }
        return false;
    }

    private static bool TryReadLinks(ref Utf8JsonReader reader, Span span)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var link = new Span.Types.Link();
            while (true)
            {
                if (!reader.Read())
                {
                    return false;
                }
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }
                if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
                {
                    return false;
                }
                var name = reader.ValueSpan;
                if (!reader.Read())
                {
                    return false;
                }
                bool ok;
                if (name.SequenceEqual("traceId"u8))
                {
                    ok = TryHex(reader, out var traceId);
                    link.TraceId = traceId;
                }
                else if (name.SequenceEqual("spanId"u8))
                {
                    ok = TryHex(reader, out var spanId);
                    link.SpanId = spanId;
                }
                else if (name.SequenceEqual("traceState"u8))
                {
                    ok = TryString(reader, out var traceState);
                    link.TraceState = traceState;
                }
                else if (name.SequenceEqual("attributes"u8))
                {
                    ok = TryReadKeyValues(ref reader, link.Attributes);
                }
                else if (name.SequenceEqual("droppedAttributesCount"u8))
                {
                    ok = TryUInt32(reader, out var dropped);
                    link.DroppedAttributesCount = dropped;
                }
                else if (name.SequenceEqual("flags"u8))
                {
                    ok = TryUInt32(reader, out var flags);
                    link.Flags = flags;
                }
                else
                {
                    return false;
                }
                if (!ok)
                {
                    return false;
                }
            }
            span.Links.Add(link);
        }
        return false;
    }

    private static bool TryReadStatus(ref Utf8JsonReader reader, Status status)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return false;
            }
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }
            if (name.SequenceEqual("code"u8) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code))
            {
                status.Code = (Status.Types.StatusCode)code;
            }
            else if (name.SequenceEqual("message"u8) && TryString(reader, out var message))
            {
                status.Message = message;
            }
            else
            {
                return false;
            }
        }
        return false;
    }

    private static bool TryReadKeyValues(ref Utf8JsonReader reader, Google.Protobuf.Collections.RepeatedField<KeyValue> list)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }
            var keyValue = new KeyValue();
            if (!TryReadKeyValue(ref reader, keyValue))
            {
                return false;
            }
            list.Add(keyValue);
        }
        return false;
    }

    private static bool TryReadKeyValue(ref Utf8JsonReader reader, KeyValue keyValue)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return false;
            }
            var isKey = reader.ValueTextEquals("key"u8);
            var isValue = !isKey && reader.ValueTextEquals("value"u8);
            if (!reader.Read())
            {
                return false;
            }
            if (isKey && TryString(reader, out var key))
            {
                keyValue.Key = key;
            }
            else if (isValue && reader.TokenType == JsonTokenType.StartObject)
            {
                var value = new AnyValue();
                if (!TryReadAnyValue(ref reader, value))
                {
                    return false;
                }
                keyValue.Value = value;
            }
            else
            {
                return false;
            }
        }
        return false;
    }

    private static bool TryReadAnyValue(ref Utf8JsonReader reader, AnyValue value)
    {
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped)
            {
                return false;
            }
            var name = reader.ValueSpan;
            if (!reader.Read())
            {
                return false;
            }
            bool ok;
            if (name.SequenceEqual("stringValue"u8))
            {
                ok = TryString(reader, out var text);
                value.StringValue = text;
            }
            else if (name.SequenceEqual("intValue"u8))
            {
                ok = TryInt64(reader, out var number);
                value.IntValue = number;
            }
            else if (name.SequenceEqual("boolValue"u8))
            {
                ok = reader.TokenType is JsonTokenType.True or JsonTokenType.False;
                value.BoolValue = reader.TokenType == JsonTokenType.True;
            }
            else if (name.SequenceEqual("doubleValue"u8))
            {
                ok = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var d) && double.IsFinite(d);
                value.DoubleValue = ok ? reader.GetDouble() : 0;
            }
            else if (name.SequenceEqual("arrayValue"u8))
            {
                var array = new ArrayValue();
                ok = TryReadValues(ref reader, array, null);
                value.ArrayValue = array;
            }
            else if (name.SequenceEqual("kvlistValue"u8))
            {
                var list = new KeyValueList();
                ok = TryReadValues(ref reader, null, list);
                value.KvlistValue = list;
            }
            else if (name.SequenceEqual("bytesValue"u8))
            {
                ok = reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes);
                value.BytesValue = ok ? UnsafeByteOperations.UnsafeWrap(reader.GetBytesFromBase64()) : ByteString.Empty;
            }
            else
            {
                return false;
            }
            if (!ok)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>The <c>{"values": [...]}</c> object of an array value (AnyValues) or a key-value list (KeyValues).</summary>
    private static bool TryReadValues(ref Utf8JsonReader reader, ArrayValue? array, KeyValueList? list)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            if (reader.TokenType != JsonTokenType.PropertyName || !reader.ValueTextEquals("values"u8) || !reader.Read())
            {
                return false;
            }
            if (list is not null)
            {
                if (!TryReadKeyValues(ref reader, list.Values))
                {
                    return false;
                }
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }
            while (true)
            {
                if (!reader.Read())
                {
                    return false;
                }
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }
                var item = new AnyValue();
                if (!TryReadAnyValue(ref reader, item))
                {
                    return false;
                }
                array!.Values.Add(item);
            }
        }
        return false;
    }

    private static bool TryString(in Utf8JsonReader reader, out string value)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            value = "";
            return false;
        }
        value = reader.GetString()!;
        return true;
    }

    private static bool TryHex(in Utf8JsonReader reader, out ByteString value)
    {
        value = ByteString.Empty;
        if (reader.TokenType != JsonTokenType.String || reader.HasValueSequence || reader.ValueIsEscaped)
        {
            return false;
        }
        var text = reader.ValueSpan;
        if (text.Length == 0)
        {
            return true;
        }
        if (text.Length % 2 != 0 || text.Length > 512)
        {
            return false;
        }
        var bytes = new byte[text.Length / 2];
        if (!Hex.TryDecode(text, bytes))
        {
            return false;
        }
        value = UnsafeByteOperations.UnsafeWrap(bytes);
        return true;
    }

    private static bool TryUInt64(in Utf8JsonReader reader, out ulong value)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length;
        }
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out value);
    }

    private static bool TryInt64(in Utf8JsonReader reader, out long value)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.HasValueSequence && !reader.ValueIsEscaped)
        {
            return Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length;
        }
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out value);
    }

    private static bool TryUInt32(in Utf8JsonReader reader, out uint value)
    {
        value = 0;
        return reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out value);
    }
}
