using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>Bad input fails with an <see cref="OtlpJsonException"/> that names the JSON path.</summary>
public class OtlpJsonErrorTests
{
    private const string SpanPath = "resourceSpans[0].scopeSpans[0].spans[1]";

    private static OtlpJsonException Fails<T>(string json) where T : IMessage<T>, new()
    {
        var act = () => OtlpJson.Parse<T>(Encoding.UTF8.GetBytes(json));
        return act.Should().Throw<OtlpJsonException>().Which;
    }

    /// <summary>A traces document whose second span has <paramref name="spanBody"/> as its fields.</summary>
    private static string InSecondSpan(string spanBody) =>
        """{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"ok"},{""" + spanBody + "}]}]}]}";

    private static byte[] Utf8With(string before, byte[] bad, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. bad, .. Encoding.UTF8.GetBytes(after)];

    [Test]
    public void A_non_hex_trace_id_names_its_path()
    {
        var e = Fails<TracesData>(InSecondSpan("\"traceId\":\"5B8EFFF798038103D269B633813FC60G\""));
        e.Path.Should().Be(SpanPath + ".traceId");
        e.Message.Should().StartWith(SpanPath + ".traceId: expected 32 hex digits");
        e.Should().BeAssignableTo<FormatException>();
    }

    [Test]
    public void Ids_of_odd_length_are_errors()
    {
        Fails<TracesData>(InSecondSpan("\"traceId\":\"5B8EFFF798038103D269B633813FC60\""))
            .Message.Should().Be(SpanPath + ".traceId: expected 32 hex digits, got 31 characters");
        Fails<TracesData>(InSecondSpan("\"spanId\":\"EEE19B7EC3C1B1A\""))
            .Message.Should().Be(SpanPath + ".spanId: expected 16 hex digits, got 15 characters");
        Fails<TracesData>(InSecondSpan("\"links\":[{\"traceId\":\"000\"}]"))
            .Path.Should().Be(SpanPath + ".links[0].traceId");
        Fails<LogRecord>("""{"spanId":"EEE19B7EC3C1B17"}""").Path.Should().Be("spanId");
        Fails<Exemplar>("""{"traceId":"XYZ"}""").Path.Should().Be("traceId");
    }

    [Test]
    public void Ids_of_another_even_length_read_back_as_they_were_stored()
    {
        // Protobuf senders can send any length; what was stored as hex must read back.
        var span = new Span { TraceId = Google.Protobuf.ByteString.CopyFrom(1, 2, 3), SpanId = Google.Protobuf.ByteString.CopyFrom(new byte[9]) };
        OtlpJson.Parse<Span>(OtlpJson.Serialize(span)).Should().Be(span);
        OtlpJson.Parse<Span>("""{"traceId":"5B8EFFF798038103D269B633813FC6"}"""u8).TraceId.Length.Should().Be(15);
    }

    [Test]
    public void Base64_ids_are_rejected()
    {
        // What Google.Protobuf's formatter would have written for the id.
        Fails<Span>("""{"traceId":"W47/95gDgQPSabYzgT/GDA=="}""").Path.Should().Be("traceId");
    }

    [Test]
    public void Wrong_json_types_are_errors_naming_the_path()
    {
        Fails<TracesData>("""{"resourceSpans":"x"}""").Message.Should().Be("resourceSpans: expected an array, got a string");
        Fails<TracesData>("""{"resourceSpans":[{"resource":[]}]}""").Message.Should().Be("resourceSpans[0].resource: expected an object, got an array");
        Fails<TracesData>("""{"resourceSpans":[5]}""").Message.Should().Be("resourceSpans[0]: expected an object, got a number");
        Fails<TracesData>(InSecondSpan("\"startTimeUnixNano\":{}")).Message.Should().Be(SpanPath + ".startTimeUnixNano: expected a number (uint64), got an object");
        Fails<TracesData>(InSecondSpan("\"name\":5")).Message.Should().Be(SpanPath + ".name: expected a string, got a number");
        Fails<TracesData>(InSecondSpan("\"kind\":true")).Path.Should().Be(SpanPath + ".kind");
        Fails<TracesData>(InSecondSpan("\"attributes\":{}")).Path.Should().Be(SpanPath + ".attributes");
        Fails<AnyValue>("""{"boolValue":"true"}""").Message.Should().Be("boolValue: expected true or false, got a string");
        Fails<AnyValue>("""{"doubleValue":[]}""").Path.Should().Be("doubleValue");
        Fails<AnyValue>("""{"bytesValue":1}""").Path.Should().Be("bytesValue");
        Fails<Span>("""{"traceId":16}""").Path.Should().Be("traceId");
    }

    [Test]
    public void Errors_inside_attribute_values_name_the_element()
    {
        var e = Fails<TracesData>(InSecondSpan("\"attributes\":[{\"key\":\"a\",\"value\":{\"intValue\":\"1\"}},{\"key\":\"b\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":\"x\"}]}}}]"));
        e.Path.Should().Be(SpanPath + ".attributes[1].value.arrayValue.values[0].intValue");
    }

    [Test]
    public void Unknown_enum_names_are_errors()
    {
        var e = Fails<Span>("""{"kind":"SPAN_KIND_BOGUS"}""");
        e.Message.Should().Be("kind: unknown SpanKind value \"SPAN_KIND_BOGUS\"");
        Fails<LogRecord>("""{"severityNumber":"info"}""").Path.Should().Be("severityNumber");
    }

    [Test]
    public void Numbers_out_of_range_or_not_integers_are_errors()
    {
        Fails<Span>("""{"droppedAttributesCount":4294967296}""").Message.Should().Be("droppedAttributesCount: \"4294967296\" is out of range for uint32");
        Fails<Span>("""{"droppedAttributesCount":-1}""").Path.Should().Be("droppedAttributesCount");
        Fails<Span>("""{"startTimeUnixNano":"-1"}""").Path.Should().Be("startTimeUnixNano");
        Fails<Span>("""{"startTimeUnixNano":"18446744073709551616"}""").Message.Should().Contain("out of range for uint64");
        Fails<AnyValue>("""{"intValue":"9223372036854775808"}""").Message.Should().Contain("out of range for int64");
        Fails<AnyValue>("""{"intValue":1e40}""").Message.Should().Contain("out of range for int64");
        Fails<AnyValue>("""{"intValue":"1.5"}""").Message.Should().Be("intValue: expected an integer (int64), got \"1.5\"");
        Fails<AnyValue>("""{"intValue":"abc"}""").Path.Should().Be("intValue");
        Fails<AnyValue>("""{"intValue":""}""").Path.Should().Be("intValue");
        Fails<ExponentialHistogramDataPoint>("""{"scale":2147483648}""").Message.Should().Contain("out of range for int32");
        Fails<Span>("""{"kind":2147483648}""").Path.Should().Be("kind");
        Fails<AnyValue>("""{"doubleValue":1e400}""").Message.Should().Be("doubleValue: number is out of range for double");
        Fails<AnyValue>("""{"doubleValue":"nan"}""").Path.Should().Be("doubleValue");
        Fails<AnyValue>("""{"doubleValue":"1e400"}""").Path.Should().Be("doubleValue");
    }

    [Test]
    public void Invalid_base64_is_an_error()
    {
        Fails<AnyValue>("""{"bytesValue":"!!!!"}""").Message.Should().Be("bytesValue: invalid base64");
        Fails<AnyValue>("""{"bytesValue":"A"}""").Path.Should().Be("bytesValue");
    }

    [Test]
    public void Strings_that_are_not_valid_text_are_errors_naming_the_path()
    {
        var invalidUtf8 = () => OtlpJson.Parse<KeyValueList>(Utf8With("""{"values":[{"key":"a"},{"key":" """, [0xFF, 0xFE], "\"}]}"));
        var e = invalidUtf8.Should().Throw<OtlpJsonException>().Which;
        e.Path.Should().Be("values[1].key");
        e.Message.Should().StartWith("values[1].key: invalid string: ");

        Fails<AnyValue>("""{"stringValue":"\ud800"}""").Path.Should().Be("stringValue");
        Fails<Span>("""{"traceId":"\ud800"}""").Path.Should().Be("traceId");

        // Unknown names that are not valid text are skipped like any unknown field.
        var unknown = () => OtlpJson.Parse<Span>(Utf8With("{\"", [0xFF], "\":1,\"\\ud800\":2,\"name\":\"n\"}"));
        unknown.Should().NotThrow().Which.Name.Should().Be("n");
    }

    [Test]
    public void Null_inside_an_array_is_an_error()
    {
        Fails<KeyValueList>("""{"values":[{"key":"a"},null]}""").Message.Should().Be("values[1]: null is not allowed in an array");
        Fails<HistogramDataPoint>("""{"bucketCounts":["1",null]}""").Path.Should().Be("bucketCounts[1]");
    }

    [Test]
    public void Truncated_json_is_an_error_at_the_place_it_stops()
    {
        var e = Fails<TracesData>("""{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"ok"},{"traceId":"5B8E""");
        e.Path.Should().Be(SpanPath + ".traceId");
        e.InnerException.Should().BeAssignableTo<JsonException>();
        e.Message.Should().StartWith(SpanPath + ".traceId: invalid JSON: ");

        Fails<TracesData>("""{"resourceSpans":[{"scopeSpans":[]""").Path.Should().Be("resourceSpans[0]");
        Fails<TracesData>("""{"resourceSpans":[{"scopeSpans":[]},""").Path.Should().Be("resourceSpans");
        Fails<TracesData>("""{"resourceSpans":""").Path.Should().Be("resourceSpans");
        Fails<TracesData>("{").Path.Should().Be("");
        Fails<TracesData>("").Path.Should().Be("");
        Fails<TracesData>("   ").Path.Should().Be("");
    }

    [Test]
    public void Malformed_json_is_an_error()
    {
        Fails<Span>("""{"name":"a" "kind":1}""").Path.Should().Be("");
        Fails<Span>("""{"name":"a",}""").Path.Should().Be("");
        Fails<Span>("""{"name":'a'}""").Path.Should().Be("name");
        Fails<Span>("""{"unknown":[1,}""").Path.Should().Be("unknown");
    }

    [Test]
    public void The_document_must_be_exactly_one_object()
    {
        Fails<Span>("[]").Message.Should().Be("expected a JSON object, got an array");
        Fails<Span>("null").Message.Should().Be("expected a JSON object, got null");
        Fails<Span>("\"x\"").Path.Should().Be("");
        Fails<Span>("{} x").Message.Should().StartWith("invalid JSON: ");
        Fails<Span>("{}{}").Path.Should().Be("");
        Fails<Span>("{} // comment").Path.Should().Be("");
    }

    [Test]
    public void Nesting_deeper_than_128_is_an_error_not_a_crash()
    {
        var json = new StringBuilder();
        for (var i = 0; i < 200; i++)
        {
            json.Append("""{"arrayValue":{"values":[""");
        }
        json.Append("{}");
        for (var i = 0; i < 200; i++)
        {
            json.Append("]}}");
        }
        var e = Fails<AnyValue>(json.ToString());
        e.InnerException.Should().BeAssignableTo<JsonException>();
        e.Path.Should().StartWith("arrayValue.values[0].arrayValue.values[0]");
    }

    [Test]
    public void Parse_with_a_reader_reports_errors_the_same_way()
    {
        var act = () =>
        {
            var reader = new Utf8JsonReader("""{"spanId":"zz"}"""u8);
            OtlpJson.Parse(Span.Descriptor, ref reader);
        };
        act.Should().Throw<OtlpJsonException>().Which.Path.Should().Be("spanId");

        var notAnObject = () =>
        {
            var reader = new Utf8JsonReader("[1]"u8);
            OtlpJson.Parse<Span>(ref reader);
        };
        notAnObject.Should().Throw<OtlpJsonException>().WithMessage("expected a JSON object, got an array"); // one step only: the document is not an object
    }
}
