using System.IO.Compression;
using System.Text;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Query;
using Oteleport.Signals;
using Oteleport.Storage;
using Oteleport.Storage.Flatten;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>Reading flatten objects: the Go server's shape, blank lines, regrouping, damaged lines.</summary>
public class FlattenReaderTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private static readonly FetchQuery Around = new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
        EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(1)),
    };

    private static List<SignalRecord> Read(SignalType signal, string content)
    {
        var records = new List<SignalRecord>();
        FlattenReader.Collect(signal, Encoding.UTF8.GetBytes(content), records);
        return records;
    }

    private static string SpanLine(string service, string scope, string name) =>
        $$$"""{"resourceAttributes":[{"key":"service.name","value":{"stringValue":"{{{service}}}"}}],"scopeName":"{{{scope}}}","name":"{{{name}}}","startTimeUnixNano":"1729675800000000000"}""";

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }

    // The Go server writes each line with a JSON encoder (members in alphabetical order, a newline after
    // each value) and puts another newline between lines, so its objects have blank lines and a final newline.
    private const string GoStyleSpans =
        """
        {"attributes":[{"key":"http.route","value":{"stringValue":"/orders/{id}"}}],"endTimeUnixNano":"1729675800420000000","kind":2,"name":"GET /orders/{id}","parentSpanId":"1F2E3D4C5B6A7988","resourceAttributes":[{"key":"service.name","value":{"stringValue":"orders"}},{"key":"host.name","value":{"stringValue":"ip-10-0-0-7"}}],"resourceSpanSchemaUrl":"https://opentelemetry.io/schemas/1.21.0","scopeAttributes":[{"key":"otel.library","value":{"stringValue":"net/http"}}],"scopeName":"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp","scopeVersion":"0.53.0","spanId":"8C7B6A5948372615","startTimeUnixNano":"1729675800000000000","status":{},"traceId":"9A8B7C6D5E4F30211203F4E5D6C7B8A9"}


        {"endTimeUnixNano":"1729675800300000000","kind":3,"name":"SELECT orders","parentSpanId":"8C7B6A5948372615","resourceAttributes":[{"key":"service.name","value":{"stringValue":"orders"}},{"key":"host.name","value":{"stringValue":"ip-10-0-0-7"}}],"resourceSpanSchemaUrl":"https://opentelemetry.io/schemas/1.21.0","scopeAttributes":[{"key":"otel.library","value":{"stringValue":"net/http"}}],"scopeName":"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp","scopeVersion":"0.53.0","spanId":"0A1B2C3D4E5F6071","startTimeUnixNano":"1729675800100000000","status":{"code":1},"traceId":"9A8B7C6D5E4F30211203F4E5D6C7B8A9"}

        """;

    [Test]
    public async Task A_Go_server_flatten_object_is_read_as_one_resource_and_scope()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Objects.PutAsync("traces/2024/10/23/09/spans-20241023093000-goserver.json.gz", Gzip(GoStyleSpans), new ObjectMetadata("application/json", "gzip"));

        var page = await fixture.Store.FetchTracesAsync(Around);
        var resource = page.ResourceSpans.Should().ContainSingle().Subject;
        resource.SchemaUrl.Should().Be("https://opentelemetry.io/schemas/1.21.0");
        resource.Resource.Attributes.Select(a => $"{a.Key}={a.Value.StringValue}").Should().Equal("service.name=orders", "host.name=ip-10-0-0-7");
        var scope = resource.ScopeSpans.Should().ContainSingle().Subject;
        scope.Scope.Should().Be(new InstrumentationScope
        {
            Name = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
            Version = "0.53.0",
            Attributes = { TestSignals.Attr("otel.library", "net/http") },
        });
        scope.Spans.Select(s => s.Name).Should().Equal("GET /orders/{id}", "SELECT orders");

        var server = scope.Spans[0];
        server.TraceId.ToByteArray().Should().Equal(Convert.FromHexString("9A8B7C6D5E4F30211203F4E5D6C7B8A9"));
        server.SpanId.ToByteArray().Should().Equal(Convert.FromHexString("8C7B6A5948372615"));
        server.ParentSpanId.ToByteArray().Should().Equal(Convert.FromHexString("1F2E3D4C5B6A7988"));
        server.Kind.Should().Be(Span.Types.SpanKind.Server);
        server.StartTimeUnixNano.Should().Be(1729675800000000000);
        server.EndTimeUnixNano.Should().Be(1729675800420000000);
        server.Status.Should().Be(new Status());
        server.Attributes.Should().Equal(TestSignals.Attr("http.route", "/orders/{id}"));
        scope.Spans[1].Status.Code.Should().Be(Status.Types.StatusCode.Ok);
    }

    [Test]
    public async Task A_pretty_printed_Go_style_data_point_is_read()
    {
        using var fixture = new SignalStoreFixture();
        const string pretty = """
            {
              "description": "requests served",
              "name": "http.server.requests",
              "resourceAttributes": [
                {
                  "key": "service.name",
                  "value": {
                    "stringValue": "orders"
                  }
                }
              ],
              "scopeName": "orders.meter",
              "startTimeUnixNano": "1729675200000000000",
              "sum": {
                "aggregationTemporality": 2,
                "dataPoint": {
                  "asInt": "1234",
                  "startTimeUnixNano": "1729675200000000000",
                  "timeUnixNano": "1729675800000000000"
                },
                "isMonotonic": true
              },
              "timeUnixNano": "1729675800000000000",
              "unit": "1"
            }
            """;
        await fixture.Objects.PutAsync("metrics/2024/10/23/09/data-points-20241023093000-goserver.json", Encoding.UTF8.GetBytes(pretty), new ObjectMetadata("application/json"));

        var metric = (await fixture.Store.FetchMetricsAsync(Around)).ResourceMetrics.Single().ScopeMetrics.Single().Metrics.Single();
        metric.Should().Be(new Metric
        {
            Name = "http.server.requests",
            Description = "requests served",
            Unit = "1",
            Sum = new Sum
            {
                AggregationTemporality = AggregationTemporality.Cumulative,
                IsMonotonic = true,
                DataPoints = { new NumberDataPoint { AsInt = 1234, StartTimeUnixNano = 1729675200000000000, TimeUnixNano = 1729675800000000000 } },
            },
        });
    }

    [Test]
    public void Blank_lines_carriage_returns_and_a_final_newline_are_skipped_and_offsets_count_records()
    {
        var content = "\n" + SpanLine("a", "s", "first") + "\r\n\r\n" + SpanLine("a", "s", "second") + "\n\n\n" + SpanLine("b", "s", "third") + "\n";
        var records = Read(SignalType.Traces, content);
        records.Select(r => ((Span)r.Item).Name).Should().Equal("first", "second", "third");
        records.Should().OnlyContain(r => r.TimeUnixNano == 1729675800000000000);
    }

    [Test]
    public async Task A_flatten_object_with_a_byte_order_mark_is_read()
    {
        using var fixture = new SignalStoreFixture();
        byte[] content = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(SpanLine("a", "s", "marked") + "\n" + SpanLine("a", "s", "next"))];
        await fixture.Objects.PutAsync("traces/2024/10/23/09/spans-20241023093000-bommark0.json", content, new ObjectMetadata("application/json"));
        TestSignals.AllSpans((await fixture.Store.FetchTracesAsync(Around)).ResourceSpans).Select(s => s.Name).Should().Equal("marked", "next");
    }

    [Test]
    public void Equal_resources_and_scopes_share_one_instance_even_when_not_consecutive()
    {
        var records = Read(SignalType.Traces, string.Join("\n",
            SpanLine("a", "s1", "0"), SpanLine("a", "s1", "1"), SpanLine("b", "s1", "2"), SpanLine("a", "s2", "3"), SpanLine("a", "s1", "4")));
        records[0].Resource.Should().BeSameAs(records[1].Resource).And.BeSameAs(records[3].Resource).And.BeSameAs(records[4].Resource);
        records[2].Resource.Should().NotBeSameAs(records[0].Resource);
        records[0].Scope.Should().BeSameAs(records[1].Scope).And.BeSameAs(records[2].Scope).And.BeSameAs(records[4].Scope);
        records[3].Scope.Should().NotBeSameAs(records[0].Scope);

        var rebuilt = TraceShape.Instance.Build(records);
        rebuilt.ResourceSpans.Select(r => r.ScopeSpans.Count).Should().Equal(1, 1, 2);
        rebuilt.ResourceSpans[2].ScopeSpans.Select(s => s.Spans.Count).Should().Equal(1, 1);
    }

    [Test]
    public void Data_points_of_one_metric_share_it_and_differing_settings_do_not()
    {
        static string Point(string name, int temporality, string value) =>
            $$$"""{"scopeName":"m","name":"{{{name}}}","sum":{"dataPoint":{"asInt":"{{{value}}}","timeUnixNano":"1729675800000000000"},"aggregationTemporality":{{{temporality}}}}}""";
        var records = Read(SignalType.Metrics, string.Join("\n",
            Point("x", 2, "1"), Point("x", 2, "2"), Point("x", 1, "3"), Point("y", 2, "4"), Point("x", 2, "5")));
        records[0].Metric.Should().BeSameAs(records[1].Metric).And.BeSameAs(records[4].Metric);
        records[2].Metric.Should().NotBeSameAs(records[0].Metric);
        records[3].Metric.Should().NotBeSameAs(records[0].Metric);

        var metrics = MetricShape.Instance.Build(records).ResourceMetrics.Single().ScopeMetrics.Single().Metrics;
        metrics.Select(m => $"{m.Name}/{m.Sum.AggregationTemporality}/{m.Sum.DataPoints.Count}")
            .Should().Equal("x/Cumulative/2", "x/Delta/1", "y/Cumulative/1", "x/Cumulative/1");
    }

    [Test]
    public void A_data_point_written_without_its_own_times_takes_the_top_level_ones()
    {
        var records = Read(SignalType.Metrics,
            """{"name":"g","gauge":{"dataPoint":{"asDouble":1.5}},"startTimeUnixNano":"1729675700000000000","timeUnixNano":"1729675800000000000"}""");
        var point = (NumberDataPoint)records.Single().Item;
        point.StartTimeUnixNano.Should().Be(1729675700000000000);
        point.TimeUnixNano.Should().Be(1729675800000000000);
        records.Single().TimeUnixNano.Should().Be(1729675800000000000);
    }

    [Test]
    public void A_malformed_line_makes_the_whole_object_unreadable_and_adds_nothing()
    {
        var records = new List<SignalRecord>();
        var content = Encoding.UTF8.GetBytes(SpanLine("a", "s", "0") + "\n" + "{\"name\": \"1\", \"kind\": \"no such kind\"}" + "\n" + SpanLine("a", "s", "2"));
        var act = () => FlattenReader.Collect(SignalType.Traces, content, records);
        act.Should().Throw<OtlpJsonException>().Which.Path.Should().Be("[1].kind");
        records.Should().BeEmpty();

        Invoking("{\"name\":\"0\"}\n{\"name\":").Should().Throw<OtlpJsonException>();
        Invoking("{\"name\":\"0\"}\n[1, 2]").Should().Throw<InvalidDataException>();
        Invoking("{\"name\":\"0\"}\nnull").Should().Throw<InvalidDataException>();
        var noKind = () => FlattenReader.Collect(SignalType.Metrics, Encoding.UTF8.GetBytes("{\"name\":\"x\"}"), records);
        noKind.Should().Throw<InvalidDataException>();
        records.Should().BeEmpty();

        static Action Invoking(string text) => () => FlattenReader.Collect(SignalType.Traces, Encoding.UTF8.GetBytes(text), new List<SignalRecord>());
    }

    [Test]
    public async Task A_damaged_flatten_object_is_skipped_and_the_rest_of_the_partition_is_served()
    {
        using var fixture = new SignalStoreFixture(o => o.Storage.Flatten = true);
        await fixture.Store.AppendTracesAsync(TestSignals.Spans(3, Time, TimeSpan.FromSeconds(1)));
        var damaged = SpanLine("a", "s", "good") + "\n" + SpanLine("a", "s", "bad").Replace("\"name\"", "\"name\":", StringComparison.Ordinal);
        await fixture.Objects.PutAsync("traces/2024/10/23/09/spans-20241023093000-damaged0.json", Encoding.UTF8.GetBytes(damaged), new ObjectMetadata("application/json"));
        var spans = TestSignals.AllSpans((await fixture.Store.FetchTracesAsync(Around)).ResourceSpans);
        spans.Select(s => s.Name).Should().BeEquivalentTo("span-0", "span-1", "span-2");
    }

    [Test]
    public async Task Records_with_no_field_set_are_not_taken_for_an_empty_document()
    {
        using var fixture = new SignalStoreFixture(o => { o.Storage.Flatten = true; o.Storage.Gzip = false; });
        var data = new TracesData { ResourceSpans = { new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { new Span(), new Span() } } } } } };
        await fixture.Store.AppendTracesAsync(data);
        var file = Directory.GetFiles(Path.Combine(fixture.Folder.Path, "traces"), "*.json", SearchOption.AllDirectories).Single();
        (await File.ReadAllTextAsync(file)).Should().Be("{}\n{}");
        // Spans without a time land in the hour they arrived; fetch the last hour.
        var now = TestSignals.UnixNano(DateTimeOffset.UtcNow);
        var page = await fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = now - 3_600_000_000_000, EndTimeUnixNano = now + 60_000_000_000 });
        TestSignals.AllSpans(page.ResourceSpans).Should().HaveCount(2);
    }
}
