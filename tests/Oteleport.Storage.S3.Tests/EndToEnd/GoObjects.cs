using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// Objects as the Go oteleport server writes them, and a way to place them into an s3rver bucket
/// the way another program would: a plain, unsigned HTTP PUT (s3rver accepts it).
/// </summary>
internal static class GoObjects
{
    /// <summary>The hour of the seed README's example spans: 2024-10-23 09:00 UTC.</summary>
    public static readonly DateTimeOffset SeedHour = new(2024, 10, 23, 9, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The seed README's fetch example as a stored document: the Go server's member order (sorted by
    /// name), enums as numbers, 64-bit integers as strings (one with leading zeros), upper-case hex ids.
    /// </summary>
    public const string SeedTracesDocument = """
        {
          "resourceSpans": [
            {
              "resource": {
                "attributes": [
                  { "key": "service.name", "value": { "stringValue": "my-service" } }
                ]
              },
              "schemaUrl": "https://opentelemetry.io/schemas/1.17.0",
              "scopeSpans": [
                {
                  "schemaUrl": "https://opentelemetry.io/schemas/1.17.0",
                  "scope": {
                    "name": "github.com/equinix-labs/otel-cli",
                    "version": "0.4.5 0d4b8a9c49f60a6fc25ed22863259ff573332060 2024-04-01T20:56:07Z"
                  },
                  "spans": [
                    {
                      "attributes": [
                        { "key": "process.command", "value": { "stringValue": "curl" } },
                        { "key": "process.command_args", "value": { "arrayValue": { "values": [ { "stringValue": "curl" }, { "stringValue": "https://www.google.com" } ] } } },
                        { "key": "process.owner", "value": { "stringValue": "ikeda-masashi" } },
                        { "key": "process.pid", "value": { "intValue": "23539" } },
                        { "key": "process.parent_pid", "value": { "intValue": "23540" } }
                      ],
                      "endTimeUnixNano": "1729674137524531000",
                      "kind": 3,
                      "name": "curl google",
                      "spanId": "EB1F5DC940D26FD8",
                      "startTimeUnixNano": "1729674137341884000",
                      "status": {},
                      "traceId": "D69015A574B485137570DB01CC5B8D7D"
                    },
                    {
                      "attributes": [
                        { "key": "process.command", "value": { "stringValue": "curl" } },
                        { "key": "process.owner", "value": { "stringValue": "mashiike" } },
                        { "key": "process.pid", "value": { "intValue": "00000" } },
                        { "key": "process.parent_pid", "value": { "intValue": "00001" } }
                      ],
                      "endTimeUnixNano": "1729677243239248000",
                      "kind": 3,
                      "name": "curl google",
                      "spanId": "9F53FAE65642617D",
                      "startTimeUnixNano": "1729677242838971000",
                      "status": {},
                      "traceId": "44E4B5F99D51AEACBF0AB243C01849A5"
                    }
                  ]
                }
              ]
            }
          ]
        }
        """;

    /// <summary>A one-span traces document in the Go server's style.</summary>
    public static string TracesDocument(string service, string name, string traceId, string spanId, string parentSpanId, DateTimeOffset start) => $$$"""
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}]},"schemaUrl":"https://opentelemetry.io/schemas/1.26.0","scopeSpans":[{"scope":{"name":"go.opentelemetry.io/otel","version":"1.28.0"},"spans":[{"attributes":[{"key":"http.method","value":{"stringValue":"GET"}},{"key":"http.status_code","value":{"intValue":"200"}}],"endTimeUnixNano":"{{{Nanos(start) + 2_500_000}}}","events":[{"attributes":[{"key":"attempt","value":{"intValue":"1"}}],"name":"retry","timeUnixNano":"{{{Nanos(start) + 1_000_000}}}"}],"kind":2,"name":"{{{name}}}","parentSpanId":"{{{parentSpanId}}}","spanId":"{{{spanId}}}","startTimeUnixNano":"{{{Nanos(start)}}}","status":{"code":1},"traceId":"{{{traceId}}}"}]}]}]}
        """;

    /// <summary>A metrics document with a gauge and a monotonic cumulative sum, in the Go server's style.</summary>
    public static string MetricsDocument(DateTimeOffset time) => $$$"""
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"go-metrics"}}]},"scopeMetrics":[{"metrics":[{"gauge":{"dataPoints":[{"asDouble":21.5,"attributes":[{"key":"room","value":{"stringValue":"r1"}}],"timeUnixNano":"{{{Nanos(time)}}}"}]},"name":"temperature","unit":"Cel"},{"name":"requests","sum":{"aggregationTemporality":2,"dataPoints":[{"asInt":"42","startTimeUnixNano":"{{{Nanos(time) - 60_000_000_000}}}","timeUnixNano":"{{{Nanos(time)}}}"}],"isMonotonic":true},"unit":"1"}],"scope":{"name":"go-meter"}}]}]}
        """;

    /// <summary>A logs document with one record that names its span, in the Go server's style.</summary>
    public static string LogsDocument(DateTimeOffset time, string body) => $$$"""
        {"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"go-logs"}}]},"scopeLogs":[{"logRecords":[{"attributes":[{"key":"user","value":{"stringValue":"u-1"}}],"body":{"stringValue":"{{{body}}}"},"flags":1,"observedTimeUnixNano":"{{{Nanos(time) + 5}}}","severityNumber":9,"severityText":"INFO","spanId":"EB1F5DC940D26FD8","timeUnixNano":"{{{Nanos(time)}}}","traceId":"D69015A574B485137570DB01CC5B8D7D"}],"scope":{"name":"go-logger"}}]}]}
        """;

    /// <summary>
    /// Flattened spans, one FlattenSpan JSON line each (<c>flatten: true</c>): resource and scope fields
    /// copied onto every span, names in lowerCamelCase, ids in hex.
    /// </summary>
    public static string FlattenSpanLines(params (string Name, string SpanId, DateTimeOffset Start)[] spans)
    {
        var lines = new StringBuilder();
        foreach (var (name, spanId, start) in spans)
        {
            lines.Append(CultureInfo.InvariantCulture, $$$"""
                {"resourceAttributes":[{"key":"service.name","value":{"stringValue":"go-flatten"}}],"resourceSpanSchemaUrl":"https://opentelemetry.io/schemas/1.26.0","scopeName":"go.opentelemetry.io/otel","scopeVersion":"1.28.0","traceId":"0AF7651916CD43DD8448EB211C80319C","spanId":"{{{spanId}}}","parentSpanId":"","name":"{{{name}}}","kind":2,"startTimeUnixNano":"{{{Nanos(start)}}}","endTimeUnixNano":"{{{Nanos(start) + 1_000_000}}}","attributes":[{"key":"http.route","value":{"stringValue":"/flat"}}],"status":{}}
                """).Append('\n');
        }
        return lines.ToString();
    }

    public static ulong Nanos(DateTimeOffset time) => TestSignals.UnixNano(time);

    public static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    /// <summary>Puts an object with an unsigned HTTP PUT, as any other program could.</summary>
    public static async Task PutAsync(S3rverServer s3, string bucket, string key, byte[] body, string? contentEncoding = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }
        using var response = await http.PutAsync(new Uri(s3.Endpoint, $"{bucket}/{key}"), content);
        response.IsSuccessStatusCode.Should().BeTrue($"s3rver stores {key}: {await response.Content.ReadAsStringAsync()}");
    }

    public static Task PutAsync(S3rverServer s3, string bucket, string key, string text) =>
        PutAsync(s3, bucket, key, Encoding.UTF8.GetBytes(text));
}
