using System.Text;
using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;

namespace Oteleport.Core.Tests.Otlp.Json;

public class OtlpJsonRoundTripTests
{
    private static T RoundTrip<T>(T message) where T : IMessage<T>, new()
    {
        var json = OtlpJson.Serialize(message);
        var parsed = OtlpJson.Parse<T>(json);
        parsed.Should().Be(message, "the JSON was {0}", Encoding.UTF8.GetString(json));
        return parsed;
    }

    private static JsonElement ToElement(IMessage message) =>
        JsonDocument.Parse(OtlpJson.Serialize(message)).RootElement;

    [Test]
    public void Traces_round_trip()
    {
        RoundTrip(OtlpSamples.Traces());
    }

    [Test]
    public void Metrics_of_all_five_kinds_round_trip()
    {
        var parsed = RoundTrip(OtlpSamples.Metrics());

        var histogramPoint = parsed.ResourceMetrics[0].ScopeMetrics[0].Metrics[2].Histogram.DataPoints[0];
        histogramPoint.HasSum.Should().BeTrue();
        histogramPoint.HasMin.Should().BeTrue();
        histogramPoint.HasMax.Should().BeTrue();
        var unset = parsed.ResourceMetrics[0].ScopeMetrics[0].Metrics[2].Histogram.DataPoints[1];
        unset.HasSum.Should().BeFalse();
        unset.HasMin.Should().BeFalse();
        unset.HasMax.Should().BeFalse();
    }

    [Test]
    public void Logs_round_trip()
    {
        var parsed = RoundTrip(OtlpSamples.Logs());
        parsed.ResourceLogs[0].ScopeLogs[0].LogRecords[1].SeverityNumber.Should().Be((SeverityNumber)42);
    }

    [Test]
    public void Collector_requests_round_trip()
    {
        RoundTrip(new ExportTraceServiceRequest { ResourceSpans = { OtlpSamples.Traces().ResourceSpans } });
        RoundTrip(new ExportMetricsServiceRequest { ResourceMetrics = { OtlpSamples.Metrics().ResourceMetrics } });
        RoundTrip(new ExportLogsServiceRequest { ResourceLogs = { OtlpSamples.Logs().ResourceLogs } });
        RoundTrip(new ExportTraceServiceResponse { PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = 3, ErrorMessage = "bad" } });
    }

    [Test]
    public void Fetch_api_messages_round_trip()
    {
        RoundTrip(new FetchTracesDataRequest { StartTimeUnixNano = ulong.MaxValue, EndTimeUnixNano = 1, Cursor = "abc", Limit = long.MinValue });
        RoundTrip(new FetchTracesDataResponse { ResourceSpans = { OtlpSamples.Traces().ResourceSpans }, NextCursor = "n", HasMore = true });
        RoundTrip(new FetchMetricsDataResponse { ResourceMetrics = { OtlpSamples.Metrics().ResourceMetrics } });
        RoundTrip(new FetchLogsDataResponse { ResourceLogs = { OtlpSamples.Logs().ResourceLogs } });
    }

    [Test]
    public void Flattened_records_round_trip()
    {
        var traces = OtlpSamples.Traces();
        var span = traces.ResourceSpans[0].ScopeSpans[0].Spans[1];
        var flatSpan = new FlattenSpan
        {
            ResourceAttributes = { traces.ResourceSpans[0].Resource.Attributes },
            ScopeName = "scope",
            TraceId = span.TraceId,
            SpanId = span.SpanId,
            ParentSpanId = span.ParentSpanId,
            Name = span.Name,
            Kind = span.Kind,
            StartTimeUnixNano = span.StartTimeUnixNano,
            Attributes = { span.Attributes },
            Events = { span.Events },
            Links = { span.Links },
            Status = span.Status,
            Flags = span.Flags,
        };
        RoundTrip(flatSpan);
        ToElement(flatSpan).GetProperty("traceId").GetString().Should().Be("5B8EFFF798038103D269B633813FC60C");
        ToElement(flatSpan).GetProperty("parentSpanId").GetString().Should().Be("EEE19B7EC3C1B173");

        var metrics = OtlpSamples.Metrics().ResourceMetrics[0].ScopeMetrics[0].Metrics;
        RoundTrip(new FlattenDataPoint { Name = "g", Gauge = new FlattenGuage { DataPoint = metrics[0].Gauge.DataPoints[0] } });
        RoundTrip(new FlattenDataPoint
        {
            Name = "s",
            Sum = new FlattenSum { DataPoint = metrics[1].Sum.DataPoints[0], AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true },
            StartTimeUnixNano = 1,
            TimeUnixNano = 2,
        });
        RoundTrip(new FlattenDataPoint { Histogram = new FlattenHistogram { DataPoint = metrics[2].Histogram.DataPoints[0], AggregationTemporality = AggregationTemporality.Delta } });
        RoundTrip(new FlattenDataPoint { ExponentialHistogram = new FlattenExponentialHistogram { DataPoint = metrics[3].ExponentialHistogram.DataPoints[0] } });
        RoundTrip(new FlattenDataPoint { Summary = new FlattenSummary { DataPoint = metrics[4].Summary.DataPoints[0] } });

        var log = OtlpSamples.Logs().ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        var flatLog = new FlattenLogRecord
        {
            TimeUnixNano = log.TimeUnixNano,
            ObservedTimeUnixNano = log.ObservedTimeUnixNano,
            SeverityNumber = log.SeverityNumber,
            SeverityText = log.SeverityText,
            Body = log.Body,
            Attributes = { log.Attributes },
            TraceId = log.TraceId,
            SpanId = log.SpanId,
            Flags = log.Flags,
        };
        RoundTrip(flatLog);
        ToElement(flatLog).GetProperty("spanId").GetString().Should().Be("EEE19B7EC3C1B174");
    }

    [Test]
    public void Rpc_status_round_trips_with_details_as_type_url_and_base64_value()
    {
        var status = new Oteleport.Proto.Rpc.Status
        {
            Code = 3,
            Message = "invalid",
            Details = { new Google.Protobuf.WellKnownTypes.Any { TypeUrl = "type.googleapis.com/x.Y", Value = ByteString.CopyFromUtf8("payload") } },
        };
        RoundTrip(status);
        Encoding.UTF8.GetString(OtlpJson.Serialize(status)).Should().Be(
            """{"code":3,"message":"invalid","details":[{"typeUrl":"type.googleapis.com/x.Y","value":"cGF5bG9hZA=="}]}""");
    }

    [Test]
    public void Empty_messages_round_trip_as_empty_objects()
    {
        Encoding.UTF8.GetString(OtlpJson.Serialize(new TracesData())).Should().Be("{}");
        RoundTrip(new TracesData());
        RoundTrip(new Span());
        RoundTrip(new AnyValue());
    }

    [Test]
    public void Special_doubles_round_trip_bit_for_bit()
    {
        foreach (var value in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MaxValue, 0.1, -1e-300 })
        {
            var parsed = RoundTrip(new AnyValue { DoubleValue = value });
            BitConverter.DoubleToInt64Bits(parsed.DoubleValue).Should().Be(BitConverter.DoubleToInt64Bits(value));
        }
    }

    [Test]
    public void Extreme_integers_round_trip()
    {
        RoundTrip(new AnyValue { IntValue = long.MinValue });
        RoundTrip(new AnyValue { IntValue = long.MaxValue });
        RoundTrip(new NumberDataPoint { AsInt = long.MinValue, TimeUnixNano = ulong.MaxValue, Flags = uint.MaxValue });
        RoundTrip(new ExponentialHistogramDataPoint { Scale = int.MinValue, Positive = new() { Offset = int.MaxValue, BucketCounts = { ulong.MaxValue } } });
    }

    [Test]
    public void Deeply_nested_attribute_values_round_trip()
    {
        var value = new AnyValue { StringValue = "leaf" };
        for (var i = 0; i < 30; i++)
        {
            value = i % 2 == 0
                ? new AnyValue { ArrayValue = new ArrayValue { Values = { value } } }
                : new AnyValue { KvlistValue = new KeyValueList { Values = { new KeyValue { Key = "k", Value = value } } } };
        }
        RoundTrip(new LogRecord { Body = value });
    }

    [Test]
    public void Write_uses_the_callers_writer_and_its_options()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            OtlpJson.Write(writer, new KeyValue { Key = "a", Value = OtlpSamples.Int(1) });
            OtlpJson.Write(writer, new KeyValue { Key = "b" });
            writer.WriteEndArray();
        }
        var text = Encoding.UTF8.GetString(stream.ToArray());
        text.Should().Contain("\n");
        using var doc = JsonDocument.Parse(text);
        doc.RootElement.GetArrayLength().Should().Be(2);
        doc.RootElement[0].GetProperty("value").GetProperty("intValue").GetString().Should().Be("1");
    }

    [Test]
    public void Serialize_is_safe_to_call_from_many_threads()
    {
        var traces = OtlpSamples.Traces();
        var expected = OtlpJson.Serialize(traces);
        Parallel.For(0, 200, _ => OtlpJson.Serialize(traces).Should().Equal(expected));
    }
}
