using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using static Oteleport.Core.Tests.Otlp.Json.OtlpSamples;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>What the reader accepts beyond what the writer produces.</summary>
public class OtlpJsonReadTests
{
    private static T Parse<T>(string json) where T : IMessage<T>, new() => OtlpJson.Parse<T>(Encoding.UTF8.GetBytes(json));

    [Test]
    public void Hex_ids_are_read_in_any_case()
    {
        var span = Parse<Span>("""{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eeE19b7EC3c1b174","parentSpanId":""}""");
        span.TraceId.ToByteArray().Should().Equal(TraceId);
        span.SpanId.ToByteArray().Should().Equal(SpanId);
        span.ParentSpanId.IsEmpty.Should().BeTrue();
    }

    [Test]
    public void Snake_case_proto_names_are_read()
    {
        var data = Parse<TracesData>("""
            {"resource_spans":[{"scope_spans":[{"spans":[
              {"trace_id":"5B8EFFF798038103D269B633813FC60C","span_id":"EEE19B7EC3C1B174","parent_span_id":"EEE19B7EC3C1B173",
               "start_time_unix_nano":"7","dropped_attributes_count":2}]}],"schema_url":"s"}]}
            """);
        var span = data.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.TraceId.ToByteArray().Should().Equal(TraceId);
        span.ParentSpanId.ToByteArray().Should().Equal(ParentSpanId);
        span.StartTimeUnixNano.Should().Be(7);
        span.DroppedAttributesCount.Should().Be(2);
        data.ResourceSpans[0].SchemaUrl.Should().Be("s");
        Parse<AnyValue>("""{"kvlist_value":{"values":[{"key":"a","value":{"int_value":3}}]}}""")
            .KvlistValue.Values[0].Value.IntValue.Should().Be(3);
    }

    [Test]
    public void Enums_are_read_as_numbers_or_names()
    {
        Parse<Span>("""{"kind":"SPAN_KIND_SERVER","status":{"code":"STATUS_CODE_ERROR"}}""")
            .Should().Be(new Span { Kind = Span.Types.SpanKind.Server, Status = new Status { Code = Status.Types.StatusCode.Error } });
        Parse<Span>("""{"kind":3}""").Kind.Should().Be(Span.Types.SpanKind.Client);
        Parse<Span>("""{"kind":42}""").Kind.Should().Be((Span.Types.SpanKind)42);
        Parse<LogRecord>("""{"severityNumber":"SEVERITY_NUMBER_INFO"}""").SeverityNumber.Should().Be(SeverityNumber.Info);
        Parse<Sum>("""{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA"}""").AggregationTemporality.Should().Be(AggregationTemporality.Delta);
        Parse<FlattenSum>("""{"aggregationTemporality":2}""").AggregationTemporality.Should().Be(AggregationTemporality.Cumulative);
    }

    [Test]
    public void Sixty_four_bit_integers_are_read_from_numbers_or_strings()
    {
        Parse<Span>("""{"startTimeUnixNano":1544712660000000000,"endTimeUnixNano":"1544712661000000000"}""")
            .Should().Be(new Span { StartTimeUnixNano = 1544712660000000000, EndTimeUnixNano = 1544712661000000000 });
        Parse<AnyValue>("""{"intValue":-5}""").IntValue.Should().Be(-5);
        Parse<AnyValue>("""{"intValue":"-9223372036854775808"}""").IntValue.Should().Be(long.MinValue);
        Parse<NumberDataPoint>("""{"asInt":"18"}""").AsInt.Should().Be(18);
        Parse<HistogramDataPoint>("""{"count":1e3,"bucketCounts":[1,"2",3.0]}""")
            .Should().Be(new HistogramDataPoint { Count = 1000, BucketCounts = { 1, 2, 3 } });
    }

    [Test]
    public void Thirty_two_bit_integers_are_read_from_numbers_or_strings()
    {
        Parse<Span>("""{"droppedAttributesCount":"3","flags":"769"}""").Should().Be(new Span { DroppedAttributesCount = 3, Flags = 769 });
        Parse<ExponentialHistogramDataPoint>("""{"scale":"-3","positive":{"offset":"-2"}}""")
            .Should().Be(new ExponentialHistogramDataPoint { Scale = -3, Positive = new() { Offset = -2 } });
        Parse<Oteleport.Proto.Rpc.Status>("""{"code":"14"}""").Code.Should().Be(14);
    }

    [Test]
    public void Doubles_are_read_from_numbers_numeric_strings_and_the_special_names()
    {
        Parse<AnyValue>("""{"doubleValue":"1.5"}""").DoubleValue.Should().Be(1.5);
        Parse<AnyValue>("""{"doubleValue":2}""").DoubleValue.Should().Be(2);
        Parse<AnyValue>("""{"doubleValue":-1.25e-3}""").DoubleValue.Should().Be(-0.00125);
        double.IsNaN(Parse<AnyValue>("""{"doubleValue":"NaN"}""").DoubleValue).Should().BeTrue();
        Parse<AnyValue>("""{"doubleValue":"Infinity"}""").DoubleValue.Should().Be(double.PositiveInfinity);
        Parse<AnyValue>("""{"doubleValue":"-Infinity"}""").DoubleValue.Should().Be(double.NegativeInfinity);
        Parse<HistogramDataPoint>("""{"explicitBounds":[1,"2.5","Infinity"]}""").ExplicitBounds.Should().Equal(1, 2.5, double.PositiveInfinity);
    }

    [Test]
    public void Null_means_not_set()
    {
        var span = Parse<Span>("""
            {"traceId":null,"name":null,"kind":null,"startTimeUnixNano":null,"attributes":null,"status":null,"events":null,"flags":null}
            """);
        span.Should().Be(new Span());
        span.Status.Should().BeNull();

        var point = Parse<HistogramDataPoint>("""{"sum":null,"min":null,"max":1}""");
        point.HasSum.Should().BeFalse();
        point.HasMin.Should().BeFalse();
        point.Max.Should().Be(1);

        Parse<AnyValue>("""{"stringValue":null}""").ValueCase.Should().Be(AnyValue.ValueOneofCase.None);
    }

    [Test]
    public void Unknown_fields_are_skipped_whatever_their_value()
    {
        var span = Parse<Span>("""
            {"unknownObject":{"a":[1,2,{"b":null}],"c":{"d":"e"}},"name":"x","unknownArray":[[],[{}]],
             "unknownString":"s","unknownNumber":-1.5e10,"unknownTrue":true,"unknownNull":null,"kind":1}
            """);
        span.Should().Be(new Span { Name = "x", Kind = Span.Types.SpanKind.Internal });
    }

    [Test]
    public void Bytes_values_are_read_from_standard_or_url_safe_base64_with_or_without_padding()
    {
        var expected = new byte[] { 0x00, 0xFB, 0xFF };
        Parse<AnyValue>("""{"bytesValue":"APv/"}""").BytesValue.ToByteArray().Should().Equal(expected);
        Parse<AnyValue>("""{"bytesValue":"APv_"}""").BytesValue.ToByteArray().Should().Equal(expected);
        Parse<AnyValue>("""{"bytesValue":"+w=="}""").BytesValue.ToByteArray().Should().Equal(0xFB);
        Parse<AnyValue>("""{"bytesValue":"-w"}""").BytesValue.ToByteArray().Should().Equal(0xFB);
        Parse<AnyValue>("""{"bytesValue":"+w"}""").BytesValue.ToByteArray().Should().Equal(0xFB);
        Parse<AnyValue>("""{"bytesValue":"AP\u0076/"}""").BytesValue.ToByteArray().Should().Equal(expected);
        Parse<AnyValue>("""{"bytesValue":""}""").ValueCase.Should().Be(AnyValue.ValueOneofCase.BytesValue);
    }

    [Test]
    public void Escaped_names_and_values_are_unescaped()
    {
        var span = Parse<Span>("""{"trace\u0049d":"\u0035B8EFFF798038103D269B633813FC60C","n\u0061me":"a\u00e9\"","kind":"SPAN_KIND_\u0053ERVER"}""");
        span.TraceId.ToByteArray().Should().Equal(TraceId);
        span.Name.Should().Be("aé\"");
        span.Kind.Should().Be(Span.Types.SpanKind.Server);
        Parse<AnyValue>("""{"intValue":"\u0031\u0032"}""").IntValue.Should().Be(12);
    }

    [Test]
    public void Fields_may_come_in_any_order_and_a_repeated_field_may_appear_twice()
    {
        var kv = Parse<KeyValueList>("""{"values":[{"value":{"intValue":"1"},"key":"a"}],"values":[{"key":"b"}]}""");
        kv.Values.Select(v => v.Key).Should().Equal("a", "b");
        kv.Values[0].Value.IntValue.Should().Be(1);
    }

    [Test]
    public void Whitespace_and_a_byte_order_mark_around_the_document_are_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(" \r\n\t{ \"name\" : \"x\" }\n\n ")).ToArray();
        OtlpJson.Parse<Span>(bytes).Name.Should().Be("x");
    }

    [Test]
    public void Nesting_up_to_depth_128_is_accepted()
    {
        // Each arrayValue level is three JSON levels deep; 40 of them plus the LogRecord's own levels stays within 128.
        var json = new StringBuilder("""{"body":""");
        for (var i = 0; i < 40; i++)
        {
            json.Append("""{"arrayValue":{"values":[""");
        }
        json.Append("""{"stringValue":"leaf"}""");
        for (var i = 0; i < 40; i++)
        {
            json.Append("]}}");
        }
        json.Append('}');
        var body = Parse<LogRecord>(json.ToString()).Body;
        for (var i = 0; i < 40; i++)
        {
            body = body.ArrayValue.Values[0];
        }
        body.StringValue.Should().Be("leaf");
    }

    [Test]
    public void Parse_with_a_descriptor_reads_one_object_of_a_larger_document_and_stops_on_its_end()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"items":[{"key":"a","value":{"boolValue":true}},{"key":"b"}],"after":1}""");
        var reader = new Utf8JsonReader(bytes);
        reader.Read(); // {
        reader.Read(); // "items"
        reader.Read(); // [
        reader.Read(); // {
        var first = OtlpJson.Parse(KeyValue.Descriptor, ref reader);
        reader.TokenType.Should().Be(JsonTokenType.EndObject);
        var second = OtlpJson.Parse<KeyValue>(ref reader); // on the end of the previous element: moves to the next
        reader.TokenType.Should().Be(JsonTokenType.EndObject);
        var copy = reader; // a reader is a struct: the copy reads on without moving the original
        ParseError(ref copy).Should().NotBeNull().And.Subject.As<OtlpJsonException>().Message
            .Should().Be("expected a JSON object, got the end of an array");
        reader.Read();
        reader.TokenType.Should().Be(JsonTokenType.EndArray);
        reader.Read();
        reader.GetString().Should().Be("after");

        first.Should().BeOfType<KeyValue>().Which.Value.BoolValue.Should().BeTrue();
        second.Key.Should().Be("b");
    }

    private static OtlpJsonException? ParseError(ref Utf8JsonReader reader)
    {
        try
        {
            OtlpJson.Parse<KeyValue>(ref reader);
            return null;
        }
        catch (OtlpJsonException e)
        {
            return e;
        }
    }

    [Test]
    public void Parse_with_a_reader_handles_a_fresh_reader_a_property_name_and_an_array_start()
    {
        var onArray = new Utf8JsonReader("""[{"name":"a"}]"""u8);
        onArray.Read();
        OtlpJson.Parse<Span>(ref onArray).Name.Should().Be("a");

        var fresh = new Utf8JsonReader("""{"name":"n"}"""u8);
        OtlpJson.Parse<Span>(ref fresh).Name.Should().Be("n");

        var onName = new Utf8JsonReader("""{"span":{"name":"m"}}"""u8);
        onName.Read();
        onName.Read(); // "span"
        OtlpJson.Parse<Span>(ref onName).Name.Should().Be("m");
    }

    [Test]
    public void Flattened_json_lines_can_be_read_record_by_record()
    {
        var lines = Encoding.UTF8.GetBytes(
            """{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"a","scopeName":"s"}""" + "\n"
            + """{"traceId":"5b8efff798038103d269b633813fc60c","span_id":"eee19b7ec3c1b173","name":"b","kind":"SPAN_KIND_CLIENT"}""" + "\n");
        var reader = new Utf8JsonReader(lines, new JsonReaderOptions { AllowMultipleValues = true });
        var spans = new List<FlattenSpan>();
        while (reader.Read())
        {
            spans.Add(OtlpJson.Parse<FlattenSpan>(ref reader));
        }
        spans.Select(s => s.Name).Should().Equal("a", "b");
        spans[1].SpanId.ToByteArray().Should().Equal(ParentSpanId);
        spans[1].Kind.Should().Be(Span.Types.SpanKind.Client);
        spans[0].ScopeName.Should().Be("s");
    }

    [Test]
    public void Parse_on_a_sequence_reader_handles_values_split_across_segments()
    {
        var json = OtlpJson.Serialize(Traces());
        // One byte per segment: every token and every value is split.
        var sequence = Segments.Of(json, 1);
        var reader = new Utf8JsonReader(sequence, new JsonReaderOptions { MaxDepth = 128 });
        OtlpJson.Parse<TracesData>(ref reader).Should().Be(Traces());
    }
}
