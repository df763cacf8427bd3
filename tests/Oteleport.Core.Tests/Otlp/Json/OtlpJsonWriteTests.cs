using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using static Oteleport.Core.Tests.Otlp.Json.OtlpSamples;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>Exact JSON for small messages.</summary>
public class OtlpJsonWriteTests
{
    private static string Json(IMessage message) => Encoding.UTF8.GetString(OtlpJson.Serialize(message));

    [Test]
    public void Span_ids_are_upper_case_hex_64_bit_integers_are_strings_and_enums_are_numbers()
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(SpanId),
            ParentSpanId = ByteString.CopyFrom(ParentSpanId),
            Name = "x",
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = 1544712660000000000,
            Attributes = { Attr("n", Int(5)) },
            Status = new Status { Code = Status.Types.StatusCode.Error },
        };

        Json(span).Should().Be(
            """{"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","parentSpanId":"EEE19B7EC3C1B173","name":"x","kind":2,"startTimeUnixNano":"1544712660000000000","attributes":[{"key":"n","value":{"intValue":"5"}}],"status":{"code":2}}""");
    }

    [Test]
    public void Defaults_are_omitted_but_set_messages_are_written_even_when_empty()
    {
        Json(new Span()).Should().Be("{}");
        Json(new Span { Status = new Status() }).Should().Be("""{"status":{}}""");
        Json(new KeyValue { Key = "k" }).Should().Be("""{"key":"k"}""");
        Json(new KeyValue { Key = "k", Value = new AnyValue() }).Should().Be("""{"key":"k","value":{}}""");
        Json(new Span.Types.Event { Name = "e", TimeUnixNano = 0, DroppedAttributesCount = 0 }).Should().Be("""{"name":"e"}""");
    }

    [Test]
    public void Oneof_members_are_written_even_with_default_values()
    {
        Json(new AnyValue { IntValue = 0 }).Should().Be("""{"intValue":"0"}""");
        Json(new AnyValue { BoolValue = false }).Should().Be("""{"boolValue":false}""");
        Json(new AnyValue { StringValue = "" }).Should().Be("""{"stringValue":""}""");
        Json(new AnyValue { DoubleValue = 0 }).Should().Be("""{"doubleValue":0}""");
        Json(new AnyValue { BytesValue = ByteString.Empty }).Should().Be("""{"bytesValue":""}""");
        Json(new AnyValue { ArrayValue = new ArrayValue() }).Should().Be("""{"arrayValue":{}}""");
        Json(new NumberDataPoint { AsDouble = 0 }).Should().Be("""{"asDouble":0}""");
        Json(new NumberDataPoint { AsInt = 0 }).Should().Be("""{"asInt":"0"}""");
        Json(new Metric { Name = "m", Gauge = new Gauge() }).Should().Be("""{"name":"m","gauge":{}}""");
    }

    [Test]
    public void Optional_histogram_fields_are_written_when_set_even_to_zero()
    {
        var point = new HistogramDataPoint
        {
            Count = 2,
            Sum = 0,
            BucketCounts = { 1, 0 },
            ExplicitBounds = { 1.5 },
            Min = 0,
            Max = 0,
        };
        Json(point).Should().Be("""{"count":"2","sum":0,"bucketCounts":["1","0"],"explicitBounds":[1.5],"min":0,"max":0}""");
        Json(new HistogramDataPoint { Count = 1 }).Should().Be("""{"count":"1"}""");
    }

    [Test]
    public void Exponential_histogram_offsets_are_numbers_and_counts_are_strings()
    {
        var point = new ExponentialHistogramDataPoint
        {
            Scale = -3,
            Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -2, BucketCounts = { 1, 18446744073709551615 } },
            Negative = new ExponentialHistogramDataPoint.Types.Buckets(),
            ZeroThreshold = 1e-9,
        };
        Json(point).Should().Be("""{"scale":-3,"positive":{"offset":-2,"bucketCounts":["1","18446744073709551615"]},"negative":{},"zeroThreshold":1E-09}""");
    }

    [Test]
    public void Non_finite_doubles_are_strings()
    {
        Json(new AnyValue { DoubleValue = double.NaN }).Should().Be("""{"doubleValue":"NaN"}""");
        Json(new AnyValue { DoubleValue = double.PositiveInfinity }).Should().Be("""{"doubleValue":"Infinity"}""");
        Json(new SummaryDataPoint { Sum = double.NegativeInfinity }).Should().Be("""{"sum":"-Infinity"}""");
    }

    [Test]
    public void Other_bytes_are_standard_base64()
    {
        Json(new AnyValue { BytesValue = ByteString.CopyFrom(0x00, 0xFB, 0xFF) }).Should().Be("""{"bytesValue":"APv/"}""");
        Json(new AnyValue { BytesValue = ByteString.CopyFrom(0xFB) }).Should().Be("""{"bytesValue":"+w=="}""");
    }

    [Test]
    public void Log_records_write_severity_as_a_number_and_ids_as_hex()
    {
        var record = new LogRecord
        {
            TimeUnixNano = 1,
            SeverityNumber = SeverityNumber.Info,
            SeverityText = "Information",
            Body = Str("hi"),
            Flags = 1,
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(SpanId),
        };
        Json(record).Should().Be(
            """{"timeUnixNano":"1","severityNumber":9,"severityText":"Information","body":{"stringValue":"hi"},"flags":1,"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174"}""");
    }

    [Test]
    public void Text_is_written_as_UTF_8_with_only_the_escapes_JSON_requires()
    {
        Json(Str("é ✓ <b> & \"q\" \\ \n")).Should().Be("{\"stringValue\":\"é ✓ <b> & \\\"q\\\" \\\\ \\n\"}");
    }

    [Test]
    public void Ids_of_unusual_length_received_over_protobuf_are_still_written_as_hex()
    {
        Json(new Span { SpanId = ByteString.CopyFrom(0xAB, 0x01) }).Should().Be("""{"spanId":"AB01"}""");
    }
}
