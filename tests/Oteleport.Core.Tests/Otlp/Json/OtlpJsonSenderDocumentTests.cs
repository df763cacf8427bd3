using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using static Oteleport.Core.Tests.Otlp.Json.OtlpSamples;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>
/// Documents in the shape OTLP/HTTP JSON senders (the Collector, the SDKs) post, written by hand after the
/// OTLP specification's examples; fields are in declaration order, so writing them back gives the same JSON.
/// </summary>
public class OtlpJsonSenderDocumentTests
{
    private const string TracesDocument = """
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my.service" } }
                ]
              },
              "scopeSpans": [
                {
                  "scope": {
                    "name": "my.library",
                    "version": "1.0.0",
                    "attributes": [
                      { "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }
                    ]
                  },
                  "spans": [
                    {
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174",
                      "parentSpanId": "EEE19B7EC3C1B173",
                      "name": "I'm a server span",
                      "kind": 2,
                      "startTimeUnixNano": "1544712660000000000",
                      "endTimeUnixNano": "1544712661000000000",
                      "attributes": [
                        { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                        { "key": "http.response.status_code", "value": { "intValue": "200" } },
                        { "key": "sampled", "value": { "boolValue": true } },
                        { "key": "ratio", "value": { "doubleValue": 0.25 } },
                        { "key": "tags", "value": { "arrayValue": { "values": [ { "stringValue": "a" }, { "stringValue": "b" } ] } } }
                      ],
                      "events": [
                        { "timeUnixNano": "1544712660500000000", "name": "checkpoint" }
                      ],
                      "links": [
                        { "traceId": "5B8EFFF798038103D269B633813FC60D", "spanId": "EEE19B7EC3C1B175" }
                      ],
                      "status": { "message": "all good", "code": 1 }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    private const string MetricsDocument = """
        {
          "resourceMetrics": [
            {
              "resource": {
                "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
              },
              "scopeMetrics": [
                {
                  "scope": { "name": "my.library", "version": "1.0.0" },
                  "metrics": [
                    {
                      "name": "my.counter",
                      "description": "I am a Counter",
                      "unit": "1",
                      "sum": {
                        "dataPoints": [
                          {
                            "attributes": [ { "key": "my.counter.attr", "value": { "stringValue": "some value" } } ],
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "asDouble": 5
                          }
                        ],
                        "aggregationTemporality": 1,
                        "isMonotonic": true
                      }
                    },
                    {
                      "name": "my.gauge",
                      "unit": "1",
                      "gauge": {
                        "dataPoints": [ { "timeUnixNano": "1544712660300000000", "asInt": "10" } ]
                      }
                    },
                    {
                      "name": "my.histogram",
                      "unit": "1",
                      "histogram": {
                        "dataPoints": [
                          {
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "count": "2",
                            "sum": 2,
                            "bucketCounts": [ "1", "1" ],
                            "explicitBounds": [ 1 ],
                            "min": 0,
                            "max": 2
                          }
                        ],
                        "aggregationTemporality": 1
                      }
                    },
                    {
                      "name": "my.exponential.histogram",
                      "unit": "1",
                      "exponentialHistogram": {
                        "dataPoints": [
                          {
                            "startTimeUnixNano": "1544712660300000000",
                            "timeUnixNano": "1544712660300000000",
                            "count": "3",
                            "sum": 10,
                            "scale": -1,
                            "zeroCount": "1",
                            "positive": { "offset": 1, "bucketCounts": [ "0", "2" ] },
                            "negative": { "offset": -3, "bucketCounts": [ "1" ] },
                            "min": 0,
                            "max": 5,
                            "zeroThreshold": 0.001
                          }
                        ],
                        "aggregationTemporality": 1
                      }
                    },
                    {
                      "name": "my.summary",
                      "unit": "ms",
                      "summary": {
                        "dataPoints": [
                          {
                            "timeUnixNano": "1544712660300000000",
                            "count": "2",
                            "sum": 3,
                            "quantileValues": [ { "value": 1 }, { "quantile": 1, "value": 2 } ]
                          }
                        ]
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    private const string LogsDocument = """
        {
          "resourceLogs": [
            {
              "resource": {
                "attributes": [ { "key": "service.name", "value": { "stringValue": "my.service" } } ]
              },
              "scopeLogs": [
                {
                  "scope": { "name": "my.library", "version": "1.0.0" },
                  "logRecords": [
                    {
                      "timeUnixNano": "1544712660300000000",
                      "observedTimeUnixNano": "1544712660300000000",
                      "severityNumber": 10,
                      "severityText": "Information",
                      "body": { "stringValue": "Example log record" },
                      "attributes": [
                        { "key": "string.attribute", "value": { "stringValue": "some string" } },
                        { "key": "boolean.attribute", "value": { "boolValue": true } },
                        { "key": "int.attribute", "value": { "intValue": "10" } },
                        { "key": "double.attribute", "value": { "doubleValue": 637.704 } },
                        { "key": "array.attribute", "value": { "arrayValue": { "values": [ { "stringValue": "many" }, { "stringValue": "values" } ] } } },
                        { "key": "map.attribute", "value": { "kvlistValue": { "values": [ { "key": "some.map.key", "value": { "stringValue": "some value" } } ] } } }
                      ],
                      "traceId": "5B8EFFF798038103D269B633813FC60C",
                      "spanId": "EEE19B7EC3C1B174"
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    /// <summary>The document without insignificant whitespace.</summary>
    private static string Compact(string json)
    {
        using var doc = JsonDocument.Parse(json);
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            doc.WriteTo(writer);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Test]
    public void A_traces_export_request_is_read_and_written_back_unchanged()
    {
        var request = OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(TracesDocument));

        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.TraceId.ToByteArray().Should().Equal(TraceId);
        span.SpanId.ToByteArray().Should().Equal(SpanId);
        span.ParentSpanId.ToByteArray().Should().Equal(ParentSpanId);
        span.Kind.Should().Be(Span.Types.SpanKind.Server);
        span.StartTimeUnixNano.Should().Be(1544712660000000000);
        span.Attributes[1].Value.IntValue.Should().Be(200);
        span.Attributes[4].Value.ArrayValue.Values.Should().HaveCount(2);
        span.Events[0].TimeUnixNano.Should().Be(1544712660500000000);
        span.Links[0].SpanId.ToByteArray().Should().Equal(Convert.FromHexString("EEE19B7EC3C1B175"));
        span.Status.Code.Should().Be(OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok);
        request.ResourceSpans[0].ScopeSpans[0].Scope.Attributes[0].Key.Should().Be("my.scope.attribute");

        Encoding.UTF8.GetString(OtlpJson.Serialize(request)).Should().Be(Compact(TracesDocument));
        // The stored document type reads the same JSON.
        OtlpJson.Parse<TracesData>(Encoding.UTF8.GetBytes(TracesDocument)).ResourceSpans.Should().Equal(request.ResourceSpans);
    }

    [Test]
    public void A_metrics_export_request_is_read_and_written_back_unchanged()
    {
        var request = OtlpJson.Parse<ExportMetricsServiceRequest>(Encoding.UTF8.GetBytes(MetricsDocument));

        var metrics = request.ResourceMetrics[0].ScopeMetrics[0].Metrics;
        metrics.Select(m => m.DataCase).Should().Equal(
            Metric.DataOneofCase.Sum, Metric.DataOneofCase.Gauge, Metric.DataOneofCase.Histogram,
            Metric.DataOneofCase.ExponentialHistogram, Metric.DataOneofCase.Summary);
        metrics[0].Sum.AggregationTemporality.Should().Be(AggregationTemporality.Delta);
        metrics[0].Sum.DataPoints[0].AsDouble.Should().Be(5);
        metrics[1].Gauge.DataPoints[0].AsInt.Should().Be(10);
        metrics[2].Histogram.DataPoints[0].HasMin.Should().BeTrue();
        metrics[2].Histogram.DataPoints[0].Min.Should().Be(0);
        metrics[3].ExponentialHistogram.DataPoints[0].Negative.Offset.Should().Be(-3);
        metrics[4].Summary.DataPoints[0].QuantileValues[1].Quantile.Should().Be(1);

        Encoding.UTF8.GetString(OtlpJson.Serialize(request)).Should().Be(Compact(MetricsDocument));
    }

    [Test]
    public void A_logs_export_request_is_read_and_written_back_unchanged()
    {
        var request = OtlpJson.Parse<ExportLogsServiceRequest>(Encoding.UTF8.GetBytes(LogsDocument));

        var record = request.ResourceLogs[0].ScopeLogs[0].LogRecords[0];
        record.SeverityNumber.Should().Be(SeverityNumber.Info2);
        record.Body.StringValue.Should().Be("Example log record");
        record.TraceId.ToByteArray().Should().Equal(TraceId);
        record.Attributes[5].Value.KvlistValue.Values[0].Key.Should().Be("some.map.key");

        Encoding.UTF8.GetString(OtlpJson.Serialize(request)).Should().Be(Compact(LogsDocument));
    }

    [Test]
    public void A_fetch_response_in_the_Go_servers_shape_is_read()
    {
        // The Go server's API answers with fields in alphabetical order, an empty status object,
        // upper-case hex ids and 64-bit integers as (possibly zero-padded) strings.
        const string response = """
            {
              "hasMore": true,
              "nextCursor": "b3BhcXVl",
              "resourceSpans": [
                {
                  "resource": { "attributes": [ { "key": "service.name", "value": { "stringValue": "my-service" } } ] },
                  "schemaUrl": "https://opentelemetry.io/schemas/1.17.0",
                  "scopeSpans": [
                    {
                      "schemaUrl": "https://opentelemetry.io/schemas/1.17.0",
                      "scope": { "name": "otel-cli", "version": "0.4.5" },
                      "spans": [
                        {
                          "attributes": [
                            { "key": "process.command_args", "value": { "arrayValue": { "values": [ { "stringValue": "curl" }, { "stringValue": "https://example.com" } ] } } },
                            { "key": "process.pid", "value": { "intValue": "00042" } }
                          ],
                          "endTimeUnixNano": "1729674137524531000",
                          "kind": 3,
                          "name": "curl example",
                          "spanId": "EB1F5DC940D26FD8",
                          "startTimeUnixNano": "1729674137341884000",
                          "status": {},
                          "traceId": "D69015A574B485137570DB01CC5B8D7D"
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """;
        var parsed = OtlpJson.Parse<Oteleport.Proto.V1.FetchTracesDataResponse>(Encoding.UTF8.GetBytes(response));

        parsed.HasMore.Should().BeTrue();
        parsed.NextCursor.Should().Be("b3BhcXVl");
        var span = parsed.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.TraceId.ToByteArray().Should().Equal(Convert.FromHexString("D69015A574B485137570DB01CC5B8D7D"));
        span.Kind.Should().Be(Span.Types.SpanKind.Client);
        span.Attributes[1].Value.IntValue.Should().Be(42);
        span.Status.Should().NotBeNull();
        span.EndTimeUnixNano.Should().Be(1729674137524531000);
    }

    [Test]
    public void A_fetch_request_with_numbers_for_the_64_bit_fields_is_read()
    {
        var request = OtlpJson.Parse<Oteleport.Proto.V1.FetchTracesDataRequest>("""{"startTimeUnixNano":1729674000000000000, "limit": 100}"""u8);
        request.StartTimeUnixNano.Should().Be(1729674000000000000);
        request.Limit.Should().Be(100);
        request.EndTimeUnixNano.Should().Be(0);
        request.Cursor.Should().BeEmpty();
    }

    [Test]
    public void Lower_case_ids_from_other_senders_are_normalised_to_upper_case()
    {
        var lower = TracesDocument
            .Replace("5B8EFFF798038103D269B633813FC60C", "5b8efff798038103d269b633813fc60c", StringComparison.Ordinal)
            .Replace("EEE19B7EC3C1B174", "eee19b7ec3c1b174", StringComparison.Ordinal);
        var request = OtlpJson.Parse<ExportTraceServiceRequest>(Encoding.UTF8.GetBytes(lower));
        Encoding.UTF8.GetString(OtlpJson.Serialize(request)).Should().Be(Compact(TracesDocument));
    }
}
