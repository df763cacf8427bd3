using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Otlp.Json;

/// <summary>
/// Hand-written OTLP JSON for the messages that make up almost every byte of a trace document (Span,
/// its events and links, KeyValue, AnyValue, Resource, InstrumentationScope, Status). The generic writer
/// reads each field through reflection accessors, boxing every scalar; this one reads the generated
/// properties. Its output is byte for byte the generic writer's (field order of declaration, defaults
/// omitted, set oneof members always written, 64-bit integers as strings, ids as upper-case hex), which
/// a test checks over generated documents.
/// </summary>
internal static class OtlpJsonTraceWriter
{
    private static readonly JsonEncodedText TraceId = JsonEncodedText.Encode("traceId");
    private static readonly JsonEncodedText SpanId = JsonEncodedText.Encode("spanId");
    private static readonly JsonEncodedText TraceState = JsonEncodedText.Encode("traceState");
    private static readonly JsonEncodedText ParentSpanId = JsonEncodedText.Encode("parentSpanId");
    private static readonly JsonEncodedText Flags = JsonEncodedText.Encode("flags");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText StartTimeUnixNano = JsonEncodedText.Encode("startTimeUnixNano");
    private static readonly JsonEncodedText EndTimeUnixNano = JsonEncodedText.Encode("endTimeUnixNano");
    private static readonly JsonEncodedText TimeUnixNano = JsonEncodedText.Encode("timeUnixNano");
    private static readonly JsonEncodedText Attributes = JsonEncodedText.Encode("attributes");
    private static readonly JsonEncodedText DroppedAttributesCount = JsonEncodedText.Encode("droppedAttributesCount");
    private static readonly JsonEncodedText Events = JsonEncodedText.Encode("events");
    private static readonly JsonEncodedText DroppedEventsCount = JsonEncodedText.Encode("droppedEventsCount");
    private static readonly JsonEncodedText Links = JsonEncodedText.Encode("links");
    private static readonly JsonEncodedText DroppedLinksCount = JsonEncodedText.Encode("droppedLinksCount");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText Key = JsonEncodedText.Encode("key");
    private static readonly JsonEncodedText Value = JsonEncodedText.Encode("value");
    private static readonly JsonEncodedText Values = JsonEncodedText.Encode("values");
    private static readonly JsonEncodedText StringValue = JsonEncodedText.Encode("stringValue");
    private static readonly JsonEncodedText BoolValue = JsonEncodedText.Encode("boolValue");
    private static readonly JsonEncodedText IntValue = JsonEncodedText.Encode("intValue");
    private static readonly JsonEncodedText DoubleValue = JsonEncodedText.Encode("doubleValue");
    private static readonly JsonEncodedText ArrayValueName = JsonEncodedText.Encode("arrayValue");
    private static readonly JsonEncodedText KvlistValue = JsonEncodedText.Encode("kvlistValue");
    private static readonly JsonEncodedText BytesValue = JsonEncodedText.Encode("bytesValue");
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText EntityRefs = JsonEncodedText.Encode("entityRefs");

    /// <summary>Writes the message when it is one of the types above; false leaves it to the generic writer.</summary>
    public static bool TryWrite(Utf8JsonWriter writer, IMessage message)
    {
        switch (message)
        {
            case Span span:
                WriteSpan(writer, span);
                return true;
            case KeyValue keyValue:
                WriteKeyValue(writer, keyValue);
                return true;
            case AnyValue anyValue:
                WriteAnyValue(writer, anyValue);
                return true;
            case Resource resource:
                WriteResource(writer, resource);
                return true;
            case InstrumentationScope scope:
                WriteScope(writer, scope);
                return true;
            default:
                return false;
        }
    }

    public static void WriteSpan(Utf8JsonWriter writer, Span span)
    {
        writer.WriteStartObject();
        WriteId(writer, TraceId, span.TraceId);
        WriteId(writer, SpanId, span.SpanId);
        WriteString(writer, TraceState, span.TraceState);
        WriteId(writer, ParentSpanId, span.ParentSpanId);
        WriteUInt32(writer, Flags, span.Flags);
        WriteString(writer, Name, span.Name);
        if (span.Kind != Span.Types.SpanKind.Unspecified)
        {
            writer.WriteNumber(Kind, (int)span.Kind);
        }
        WriteUInt64(writer, StartTimeUnixNano, span.StartTimeUnixNano);
        WriteUInt64(writer, EndTimeUnixNano, span.EndTimeUnixNano);
        WriteAttributes(writer, span.Attributes);
        WriteUInt32(writer, DroppedAttributesCount, span.DroppedAttributesCount);
        if (span.Events.Count != 0)
        {
            writer.WritePropertyName(Events);
            writer.WriteStartArray();
            foreach (var e in span.Events)
            {
                writer.WriteStartObject();
                WriteUInt64(writer, TimeUnixNano, e.TimeUnixNano);
                WriteString(writer, Name, e.Name);
                WriteAttributes(writer, e.Attributes);
                WriteUInt32(writer, DroppedAttributesCount, e.DroppedAttributesCount);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        WriteUInt32(writer, DroppedEventsCount, span.DroppedEventsCount);
        if (span.Links.Count != 0)
        {
            writer.WritePropertyName(Links);
            writer.WriteStartArray();
            foreach (var link in span.Links)
            {
                writer.WriteStartObject();
                WriteId(writer, TraceId, link.TraceId);
                WriteId(writer, SpanId, link.SpanId);
                WriteString(writer, TraceState, link.TraceState);
                WriteAttributes(writer, link.Attributes);
                WriteUInt32(writer, DroppedAttributesCount, link.DroppedAttributesCount);
                WriteUInt32(writer, Flags, link.Flags);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        WriteUInt32(writer, DroppedLinksCount, span.DroppedLinksCount);
        if (span.Status is { } status)
        {
            writer.WritePropertyName(StatusName);
            writer.WriteStartObject();
            WriteString(writer, Message, status.Message);
            if (status.Code != Status.Types.StatusCode.Unset)
            {
                writer.WriteNumber(Code, (int)status.Code);
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    public static void WriteResource(Utf8JsonWriter writer, Resource resource)
    {
        writer.WriteStartObject();
        WriteAttributes(writer, resource.Attributes);
        WriteUInt32(writer, DroppedAttributesCount, resource.DroppedAttributesCount);
        if (resource.EntityRefs.Count != 0)
        {
            writer.WritePropertyName(EntityRefs);
            writer.WriteStartArray();
            foreach (var entity in resource.EntityRefs)
            {
                OtlpJsonWriter.WriteGeneric(writer, entity, JsonMessageTable.For(EntityRef.Descriptor));
            }
            writer.WriteEndArray();
        }
        writer.WriteEndObject();
    }

    public static void WriteScope(Utf8JsonWriter writer, InstrumentationScope scope)
    {
        writer.WriteStartObject();
        WriteString(writer, Name, scope.Name);
        WriteString(writer, Version, scope.Version);
        WriteAttributes(writer, scope.Attributes);
        WriteUInt32(writer, DroppedAttributesCount, scope.DroppedAttributesCount);
        writer.WriteEndObject();
    }

    public static void WriteKeyValue(Utf8JsonWriter writer, KeyValue keyValue)
    {
        writer.WriteStartObject();
        WriteString(writer, Key, keyValue.Key);
        if (keyValue.Value is { } value)
        {
            writer.WritePropertyName(Value);
            WriteAnyValue(writer, value);
        }
        writer.WriteEndObject();
    }

    public static void WriteAnyValue(Utf8JsonWriter writer, AnyValue value)
    {
        writer.WriteStartObject();
        // A set member is written even when it holds its type's default value.
        switch (value.ValueCase)
        {
            case AnyValue.ValueOneofCase.StringValue:
                writer.WriteString(StringValue, value.StringValue);
                break;
            case AnyValue.ValueOneofCase.BoolValue:
                writer.WriteBoolean(BoolValue, value.BoolValue);
                break;
            case AnyValue.ValueOneofCase.IntValue:
                writer.WritePropertyName(IntValue);
                OtlpJsonWriter.WriteInt64(writer, value.IntValue);
                break;
            case AnyValue.ValueOneofCase.DoubleValue:
                writer.WritePropertyName(DoubleValue);
                OtlpJsonWriter.WriteDouble(writer, value.DoubleValue);
                break;
            case AnyValue.ValueOneofCase.ArrayValue:
                writer.WritePropertyName(ArrayValueName);
                writer.WriteStartObject();
                if (value.ArrayValue.Values.Count != 0)
                {
                    writer.WritePropertyName(Values);
                    writer.WriteStartArray();
                    foreach (var item in value.ArrayValue.Values)
                    {
                        WriteAnyValue(writer, item);
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
                break;
            case AnyValue.ValueOneofCase.KvlistValue:
                writer.WritePropertyName(KvlistValue);
                writer.WriteStartObject();
                if (value.KvlistValue.Values.Count != 0)
                {
                    writer.WritePropertyName(Values);
                    writer.WriteStartArray();
                    foreach (var item in value.KvlistValue.Values)
                    {
                        WriteKeyValue(writer, item);
                    }
                    writer.WriteEndArray();
                }
                writer.WriteEndObject();
                break;
            case AnyValue.ValueOneofCase.BytesValue:
                writer.WriteBase64String(BytesValue, value.BytesValue.Span);
                break;
        }
        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, RepeatedField<KeyValue> attributes)
    {
        if (attributes.Count == 0)
        {
            return;
        }
        writer.WritePropertyName(Attributes);
        writer.WriteStartArray();
        foreach (var attribute in attributes)
        {
            WriteKeyValue(writer, attribute);
        }
        writer.WriteEndArray();
    }

    private static void WriteId(Utf8JsonWriter writer, JsonEncodedText name, ByteString id)
    {
        if (!id.IsEmpty)
        {
            writer.WritePropertyName(name);
            OtlpJsonWriter.WriteHex(writer, id.Span);
        }
    }

    private static void WriteString(Utf8JsonWriter writer, JsonEncodedText name, string value)
    {
        if (value.Length != 0)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteUInt32(Utf8JsonWriter writer, JsonEncodedText name, uint value)
    {
        if (value != 0)
        {
            writer.WriteNumber(name, value);
        }
    }

    private static void WriteUInt64(Utf8JsonWriter writer, JsonEncodedText name, ulong value)
    {
        if (value != 0)
        {
            writer.WritePropertyName(name);
            OtlpJsonWriter.WriteUInt64(writer, value);
        }
    }
}
