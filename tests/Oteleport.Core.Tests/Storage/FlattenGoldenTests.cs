using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>
/// The exact lines of flatten objects, against JSON written by hand from the flattened field lists
/// (lowerCamelCase names, ids as upper-case hex, 64-bit integers as strings, enums as integers,
/// default values left out, fields in the messages' declaration order).
/// </summary>
public class FlattenGoldenTests
{
    private const ulong T = 1729674137000000000; // 2024-10-23T09:02:17Z
    private const ulong Start = T - 60_000_000_000;
    private const string Id16 = "0102030405060708090A0B0C0D0E0F10";
    private const string Id8 = "A1A2A3A4A5A6A7A8";
    private const string Parent8 = "B1B2B3B4B5B6B7B8";

    private static readonly FetchQuery Around = new() { StartTimeUnixNano = T - 3_600_000_000_000, EndTimeUnixNano = T + 3_600_000_000_000 };

    private static ByteString Bytes(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    private static KeyValue Attr(string key, string value) => TestSignals.Attr(key, value);

    private static KeyValue Attr(string key, long value) => TestSignals.Attr(key, value);

    internal static TracesData GoldenSpan() => new()
    {
        ResourceSpans =
        {
            new ResourceSpans
            {
                Resource = new Resource { Attributes = { Attr("service.name", "checkout") }, DroppedAttributesCount = 1 },
                SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                ScopeSpans =
                {
                    new ScopeSpans
                    {
                        Scope = new InstrumentationScope { Name = "shop.http", Version = "2.1.0", Attributes = { Attr("lib.kind", "http") }, DroppedAttributesCount = 2 },
                        SchemaUrl = "https://opentelemetry.io/schemas/1.25.0",
                        Spans =
                        {
                            new Span
                            {
                                TraceId = Bytes(Id16),
                                SpanId = Bytes(Id8),
                                TraceState = "vendor=1",
                                ParentSpanId = Bytes(Parent8),
                                Flags = 257,
                                Name = "GET /cart",
                                Kind = Span.Types.SpanKind.Server,
                                StartTimeUnixNano = T,
                                EndTimeUnixNano = T + 250_000_000,
                                Attributes = { Attr("http.status_code", 200) },
                                DroppedAttributesCount = 3,
                                Events = { new Span.Types.Event { TimeUnixNano = T + 100_000_000, Name = "cache miss", Attributes = { Attr("cache", "cart") } } },
                                DroppedEventsCount = 4,
                                Links = { new Span.Types.Link { TraceId = Bytes("1112131415161718191A1B1C1D1E1F20"), SpanId = Bytes("C1C2C3C4C5C6C7C8"), Attributes = { Attr("link.kind", "follows") }, Flags = 256 } },
                                DroppedLinksCount = 5,
                                Status = new Status { Code = Status.Types.StatusCode.Error, Message = "upstream slow" },
                            },
                        },
                    },
                },
            },
        },
    };

    private static readonly string SpanLine = Compact("""
        {
          "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}],
          "droppedResourceAttributesCount": 1,
          "resourceSpanSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
          "scopeName": "shop.http",
          "scopeVersion": "2.1.0",
          "scopeAttributes": [{"key": "lib.kind", "value": {"stringValue": "http"}}],
          "droppedScopeAttributesCount": 2,
          "scopeSpanSchemaUrl": "https://opentelemetry.io/schemas/1.25.0",
          "traceId": "0102030405060708090A0B0C0D0E0F10",
          "spanId": "A1A2A3A4A5A6A7A8",
          "traceState": "vendor=1",
          "parentSpanId": "B1B2B3B4B5B6B7B8",
          "name": "GET /cart",
          "kind": 2,
          "startTimeUnixNano": "1729674137000000000",
          "endTimeUnixNano": "1729674137250000000",
          "attributes": [{"key": "http.status_code", "value": {"intValue": "200"}}],
          "droppedAttributesCount": 3,
          "events": [
            {
              "timeUnixNano": "1729674137100000000",
              "name": "cache miss",
              "attributes": [{"key": "cache", "value": {"stringValue": "cart"}}]
            }
          ],
          "droppedEventsCount": 4,
          "links": [
            {
              "traceId": "1112131415161718191A1B1C1D1E1F20",
              "spanId": "C1C2C3C4C5C6C7C8",
              "attributes": [{"key": "link.kind", "value": {"stringValue": "follows"}}],
              "flags": 256
            }
          ],
          "droppedLinksCount": 5,
          "status": {"message": "upstream slow", "code": 2},
          "flags": 257
        }
        """);

    internal static MetricsData GoldenPoints()
    {
        var gauge = new Metric
        {
            Name = "room.temperature", Description = "temperature of a room", Unit = "Cel",
            Metadata = { Attr("source", "sensor-7") },
            Gauge = new Gauge { DataPoints = { new NumberDataPoint { Attributes = { Attr("room", "kitchen") }, TimeUnixNano = T, AsDouble = 21.5 } } },
        };
        var sum = new Metric
        {
            Name = "http.requests", Unit = "{request}",
            Sum = new Sum
            {
                AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true,
                DataPoints = { new NumberDataPoint { StartTimeUnixNano = Start, TimeUnixNano = T, AsInt = 42 } },
            },
        };
        var histogram = new Metric
        {
            Name = "http.duration", Unit = "ms",
            Histogram = new Histogram
            {
                AggregationTemporality = AggregationTemporality.Delta,
                DataPoints =
                {
                    new HistogramDataPoint
                    {
                        StartTimeUnixNano = Start, TimeUnixNano = T, Count = 6, Sum = 31.5,
                        BucketCounts = { 1, 2, 3 }, ExplicitBounds = { 1.5, 5.5 },
                        Exemplars = { new Exemplar { TimeUnixNano = T, AsDouble = 4.25, SpanId = Bytes(Id8), TraceId = Bytes(Id16) } },
                        Min = 0.5, Max = 9.5,
                    },
                },
            },
        };
        var exponential = new Metric
        {
            Name = "payload.size", Unit = "By",
            ExponentialHistogram = new ExponentialHistogram
            {
                AggregationTemporality = AggregationTemporality.Delta,
                DataPoints =
                {
                    new ExponentialHistogramDataPoint
                    {
                        StartTimeUnixNano = Start, TimeUnixNano = T, Count = 7, Sum = 12.5, Scale = -1, ZeroCount = 1,
                        Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -2, BucketCounts = { 1, 2 } },
                        Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 3 } },
                        Flags = 1, ZeroThreshold = 0.001,
                    },
                },
            },
        };
        var summary = new Metric
        {
            Name = "gc.pause", Unit = "s",
            Summary = new Summary
            {
                DataPoints =
                {
                    new SummaryDataPoint
                    {
                        StartTimeUnixNano = Start, TimeUnixNano = T, Count = 10, Sum = 0.75,
                        QuantileValues =
                        {
                            new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 0.05 },
                            new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 0.25 },
                        },
                    },
                },
            },
        };
        return new MetricsData
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = new Resource { Attributes = { Attr("service.name", "meter-host") } },
                    SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new InstrumentationScope { Name = "shop.meter", Version = "3.0" },
                            SchemaUrl = "https://opentelemetry.io/schemas/1.24.0",
                            Metrics = { gauge, sum, histogram, exponential, summary },
                        },
                    },
                },
            },
        };
    }

    private static readonly string[] PointLines =
    [
        Compact("""
            {
              "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "meter-host"}}],
              "resourceMetricSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
              "scopeName": "shop.meter",
              "scopeVersion": "3.0",
              "scopeMetricSchemaUrl": "https://opentelemetry.io/schemas/1.24.0",
              "name": "room.temperature",
              "description": "temperature of a room",
              "unit": "Cel",
              "gauge": {
                "dataPoint": {
                  "attributes": [{"key": "room", "value": {"stringValue": "kitchen"}}],
                  "timeUnixNano": "1729674137000000000",
                  "asDouble": 21.5
                }
              },
              "metadata": [{"key": "source", "value": {"stringValue": "sensor-7"}}],
              "timeUnixNano": "1729674137000000000"
            }
            """),
        Compact("""
            {
              "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "meter-host"}}],
              "resourceMetricSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
              "scopeName": "shop.meter",
              "scopeVersion": "3.0",
              "scopeMetricSchemaUrl": "https://opentelemetry.io/schemas/1.24.0",
              "name": "http.requests",
              "unit": "{request}",
              "sum": {
                "dataPoint": {
                  "startTimeUnixNano": "1729674077000000000",
                  "timeUnixNano": "1729674137000000000",
                  "asInt": "42"
                },
                "aggregationTemporality": 2,
                "isMonotonic": true
              },
              "startTimeUnixNano": "1729674077000000000",
              "timeUnixNano": "1729674137000000000"
            }
            """),
        Compact("""
            {
              "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "meter-host"}}],
              "resourceMetricSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
              "scopeName": "shop.meter",
              "scopeVersion": "3.0",
              "scopeMetricSchemaUrl": "https://opentelemetry.io/schemas/1.24.0",
              "name": "http.duration",
              "unit": "ms",
              "histogram": {
                "dataPoint": {
                  "startTimeUnixNano": "1729674077000000000",
                  "timeUnixNano": "1729674137000000000",
                  "count": "6",
                  "sum": 31.5,
                  "bucketCounts": ["1", "2", "3"],
                  "explicitBounds": [1.5, 5.5],
                  "exemplars": [
                    {
                      "timeUnixNano": "1729674137000000000",
                      "asDouble": 4.25,
                      "spanId": "A1A2A3A4A5A6A7A8",
                      "traceId": "0102030405060708090A0B0C0D0E0F10"
                    }
                  ],
                  "min": 0.5,
                  "max": 9.5
                },
                "aggregationTemporality": 1
              },
              "startTimeUnixNano": "1729674077000000000",
              "timeUnixNano": "1729674137000000000"
            }
            """),
        Compact("""
            {
              "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "meter-host"}}],
              "resourceMetricSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
              "scopeName": "shop.meter",
              "scopeVersion": "3.0",
              "scopeMetricSchemaUrl": "https://opentelemetry.io/schemas/1.24.0",
              "name": "payload.size",
              "unit": "By",
              "exponentialHistogram": {
                "dataPoint": {
                  "startTimeUnixNano": "1729674077000000000",
                  "timeUnixNano": "1729674137000000000",
                  "count": "7",
                  "sum": 12.5,
                  "scale": -1,
                  "zeroCount": "1",
                  "positive": {"offset": -2, "bucketCounts": ["1", "2"]},
                  "negative": {"offset": 1, "bucketCounts": ["3"]},
                  "flags": 1,
                  "zeroThreshold": 0.001
                },
                "aggregationTemporality": 1
              },
              "startTimeUnixNano": "1729674077000000000",
              "timeUnixNano": "1729674137000000000"
            }
            """),
        Compact("""
            {
              "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "meter-host"}}],
              "resourceMetricSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
              "scopeName": "shop.meter",
              "scopeVersion": "3.0",
              "scopeMetricSchemaUrl": "https://opentelemetry.io/schemas/1.24.0",
              "name": "gc.pause",
              "unit": "s",
              "summary": {
                "dataPoint": {
                  "startTimeUnixNano": "1729674077000000000",
                  "timeUnixNano": "1729674137000000000",
                  "count": "10",
                  "sum": 0.75,
                  "quantileValues": [{"quantile": 0.5, "value": 0.05}, {"quantile": 0.99, "value": 0.25}]
                }
              },
              "startTimeUnixNano": "1729674077000000000",
              "timeUnixNano": "1729674137000000000"
            }
            """),
    ];

    internal static LogsData GoldenLog() => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = new Resource { Attributes = { Attr("service.name", "checkout") } },
                SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        Scope = new InstrumentationScope { Name = "shop.log" },
                        SchemaUrl = "https://opentelemetry.io/schemas/1.23.0",
                        LogRecords =
                        {
                            new LogRecord
                            {
                                TimeUnixNano = T,
                                ObservedTimeUnixNano = T + 1000,
                                SeverityNumber = SeverityNumber.Warn,
                                SeverityText = "WARN",
                                Body = new AnyValue { StringValue = "cart is empty" },
                                Attributes = { Attr("user.id", 7) },
                                DroppedAttributesCount = 1,
                                Flags = 1,
                                TraceId = Bytes(Id16),
                                SpanId = Bytes(Id8),
                            },
                        },
                    },
                },
            },
        },
    };

    private static readonly string LogLine = Compact("""
        {
          "resourceAttributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}],
          "resourceLogSchemaUrl": "https://opentelemetry.io/schemas/1.26.0",
          "scopeName": "shop.log",
          "scopeLogSchemaUrl": "https://opentelemetry.io/schemas/1.23.0",
          "timeUnixNano": "1729674137000000000",
          "severityNumber": 13,
          "severityText": "WARN",
          "body": {"stringValue": "cart is empty"},
          "attributes": [{"key": "user.id", "value": {"intValue": "7"}}],
          "droppedAttributesCount": 1,
          "flags": 1,
          "traceId": "0102030405060708090A0B0C0D0E0F10",
          "spanId": "A1A2A3A4A5A6A7A8",
          "observedTimeUnixNano": "1729674137000001000"
        }
        """);

    /// <summary>The hand-written JSON on one line: whitespace between tokens removed, member order and number text kept.</summary>
    private static string Compact(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private static SignalStoreFixture Flattening() => new(o =>
    {
        o.Storage.Flatten = true;
        o.Storage.Gzip = false;
    });

    private static string SingleObjectText(SignalStoreFixture fixture, string signal)
    {
        var file = Directory.GetFiles(Path.Combine(fixture.Folder.Path, signal), "*.json", SearchOption.AllDirectories).Should().ContainSingle().Subject;
        return File.ReadAllText(file);
    }

    [Test]
    public async Task A_span_with_events_links_and_status_is_one_line()
    {
        using var fixture = Flattening();
        await fixture.Store.AppendTracesAsync(GoldenSpan());
        SingleObjectText(fixture, "traces").Should().Be(SpanLine);
    }

    [Test]
    public async Task Data_points_of_each_kind_are_one_line_each()
    {
        using var fixture = Flattening();
        await fixture.Store.AppendMetricsAsync(GoldenPoints());
        var text = SingleObjectText(fixture, "metrics");
        text.Split('\n').Should().Equal(PointLines);
        text.Should().Be(string.Join("\n", PointLines), "lines are separated by a newline, without a final one");
    }

    [Test]
    public async Task A_log_record_is_one_line()
    {
        using var fixture = Flattening();
        await fixture.Store.AppendLogsAsync(GoldenLog());
        SingleObjectText(fixture, "logs").Should().Be(LogLine);
    }

    [Test]
    public async Task The_hand_written_lines_read_back_as_the_records_they_were_written_from()
    {
        using var fixture = new SignalStoreFixture(o => o.Storage.Gzip = false);
        var hour = "2024/10/23/09";
        await fixture.Objects.PutAsync($"traces/{hour}/spans-20241023090217-golden00.json", System.Text.Encoding.UTF8.GetBytes(SpanLine + "\n"), new Oteleport.Storage.ObjectMetadata("application/json"));
        await fixture.Objects.PutAsync($"metrics/{hour}/data-points-20241023090217-golden00.json", System.Text.Encoding.UTF8.GetBytes(string.Join("\n", PointLines)), new Oteleport.Storage.ObjectMetadata("application/json"));
        await fixture.Objects.PutAsync($"logs/{hour}/records-20241023090217-golden00.json", System.Text.Encoding.UTF8.GetBytes(LogLine), new Oteleport.Storage.ObjectMetadata("application/json"));

        (await fixture.Store.FetchTracesAsync(Around)).ResourceSpans.Should().Equal(GoldenSpan().ResourceSpans);
        (await fixture.Store.FetchMetricsAsync(Around)).ResourceMetrics.Should().Equal(GoldenPoints().ResourceMetrics);
        (await fixture.Store.FetchLogsAsync(Around)).ResourceLogs.Should().Equal(GoldenLog().ResourceLogs);
    }
}
