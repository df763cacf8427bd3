using System.Globalization;
using System.Net;
using System.Text;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>OTLP/HTTP as the specification describes it: hand-written OTLP/JSON, gzip bodies, and the answers.</summary>
public sealed class OtlpHttpTests
{
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-otlp-http");
        _server = await ServerInstance.StartAsync(_folder.Path);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    [Test]
    public async Task Hand_written_otlp_json_traces_are_stored_and_answered_with_an_empty_json_response()
    {
        var scope = Unique("json-scope");
        var now = Nanos(DateTimeOffset.UtcNow);
        // The shape of the specification's example request: ids in hex (mixed case is allowed on input),
        // 64-bit integers as strings, enums as numbers.
        var body = $$"""
            {
              "resourceSpans": [{
                "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "json-sender" } }] },
                "scopeSpans": [{
                  "scope": { "name": "{{scope}}", "version": "1.0.0", "attributes": [{ "key": "my.scope.attribute", "value": { "stringValue": "some scope attribute" } }] },
                  "spans": [{
                    "traceId": "5b8efff798038103d269b633813fc60c",
                    "spanId": "EEE19B7EC3C1B174",
                    "parentSpanId": "eee19b7ec3c1b173",
                    "name": "I'm a server span",
                    "startTimeUnixNano": "{{N(now)}}",
                    "endTimeUnixNano": "{{N(now + 1_000_000_000)}}",
                    "kind": 2,
                    "attributes": [
                      { "key": "my.span.attr", "value": { "stringValue": "some value" } },
                      { "key": "retries", "value": { "intValue": "3" } },
                      { "key": "ratio", "value": { "doubleValue": 0.25 } },
                      { "key": "cached", "value": { "boolValue": true } },
                      { "key": "tags", "value": { "arrayValue": { "values": [{ "stringValue": "a" }, { "intValue": "2" }] } } }
                    ],
                    "events": [{ "timeUnixNano": "{{N(now + 500)}}", "name": "cache.miss", "attributes": [{ "key": "cache.key", "value": { "stringValue": "k1" } }] }],
                    "links": [{ "traceId": "0102030405060708090A0B0C0D0E0F10", "spanId": "1112131415161718" }],
                    "status": { "code": 2, "message": "upstream failed" }
                  }]
                }]
              }]
            }
            """;

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), Encoding.UTF8.GetBytes(body), Api.JsonType);

        var answer = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(Api.JsonType, "the answer is in the request's encoding");
        Wire.Json.Decode<ExportTraceServiceResponse>(answer).Should().Be(new ExportTraceServiceResponse());

        var (start, end) = AroundNow();
        var fetched = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });
        var span = SpansOfScope(fetched.ResourceSpans, scope).Should().ContainSingle().Subject;
        span.TraceId.Should().Equal(Id("5B8EFFF798038103D269B633813FC60C"));
        span.SpanId.Should().Equal(Id("EEE19B7EC3C1B174"));
        span.ParentSpanId.Should().Equal(Id("EEE19B7EC3C1B173"));
        span.Kind.Should().Be(Span.Types.SpanKind.Server);
        span.StartTimeUnixNano.Should().Be(now);
        span.Attributes.Attr("retries")!.IntValue.Should().Be(3);
        span.Attributes.Attr("ratio")!.DoubleValue.Should().Be(0.25);
        span.Attributes.Attr("cached")!.BoolValue.Should().BeTrue();
        span.Attributes.Attr("tags")!.ArrayValue.Values.Select(v => v.ToString()).Should().Equal("""{ "stringValue": "a" }""", """{ "intValue": "2" }""");
        span.Events.Should().ContainSingle().Which.Name.Should().Be("cache.miss");
        span.Links.Should().ContainSingle().Which.SpanId.Should().Equal(Id("1112131415161718"));
        span.Status.Code.Should().Be(Status.Types.StatusCode.Error);
        span.Status.Message.Should().Be("upstream failed");
        fetched.ResourceSpans.Single(r => r.ScopeSpans.Any(s => s.Scope.Name == scope)).ScopeSpans.Single(s => s.Scope.Name == scope)
            .Scope.Attributes.StringAttr("my.scope.attribute").Should().Be("some scope attribute");
    }

    [Test]
    public async Task Hand_written_otlp_json_logs_and_metrics_are_stored()
    {
        var scope = Unique("json-logs");
        var now = Nanos(DateTimeOffset.UtcNow);
        var logs = $$"""
            { "resourceLogs": [{ "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "json-sender" } }] },
              "scopeLogs": [{ "scope": { "name": "{{scope}}" }, "logRecords": [{
                "timeUnixNano": "{{N(now)}}", "observedTimeUnixNano": "{{N(now + 10)}}",
                "severityNumber": 10, "severityText": "Information",
                "traceId": "5B8EFFF798038103D269B633813FC60C", "spanId": "EEE19B7EC3C1B174",
                "body": { "stringValue": "Example log record" },
                "attributes": [{ "key": "string.attribute", "value": { "stringValue": "some string" } }, { "key": "int.attribute", "value": { "intValue": "10" } }]
              }] }] }] }
            """;
        var metrics = $$"""
            { "resourceMetrics": [{ "resource": { "attributes": [{ "key": "service.name", "value": { "stringValue": "json-sender" } }] },
              "scopeMetrics": [{ "scope": { "name": "{{scope}}" }, "metrics": [
                { "name": "my.counter", "unit": "1", "description": "I am a Counter",
                  "sum": { "aggregationTemporality": 1, "isMonotonic": true,
                    "dataPoints": [{ "asDouble": 5, "startTimeUnixNano": "{{N(now - 1_000_000_000)}}", "timeUnixNano": "{{N(now)}}",
                      "attributes": [{ "key": "my.counter.attr", "value": { "stringValue": "some value" } }] }] } },
                { "name": "my.gauge", "gauge": { "dataPoints": [{ "asInt": "-4", "timeUnixNano": "{{N(now)}}" }] } }
              ] }] }] }
            """;

        using (var response = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), Encoding.UTF8.GetBytes(logs), Api.JsonType))
        {
            Wire.Json.Decode<ExportLogsServiceResponse>(await Api.ExpectOkAsync(response)).Should().Be(new ExportLogsServiceResponse());
        }
        using (var response = await _server.Http.PostAsync(_server.Otlp("/v1/metrics"), Encoding.UTF8.GetBytes(metrics), Api.JsonType))
        {
            Wire.Json.Decode<ExportMetricsServiceResponse>(await Api.ExpectOkAsync(response)).Should().Be(new ExportMetricsServiceResponse());
        }

        var (start, end) = AroundNow();
        var record = LogsOfScope((await _server.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end })).ResourceLogs, scope)
            .Should().ContainSingle().Subject;
        record.SeverityNumber.Should().Be(SeverityNumber.Info2);
        record.Body.StringValue.Should().Be("Example log record");
        record.TraceId.Should().Equal(Id("5B8EFFF798038103D269B633813FC60C"));
        record.ObservedTimeUnixNano.Should().Be(now + 10);
        record.Attributes.Attr("int.attribute")!.IntValue.Should().Be(10);

        var fetchedMetrics = MetricsOfScope((await _server.FetchMetricsAsync(new FetchMetricsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end }, Wire.Protobuf)).ResourceMetrics, scope);
        fetchedMetrics.Select(m => m.Name).Should().BeEquivalentTo("my.counter", "my.gauge");
        var counter = fetchedMetrics.Single(m => m.Name == "my.counter");
        counter.Sum.AggregationTemporality.Should().Be(OpenTelemetry.Proto.Metrics.V1.AggregationTemporality.Delta);
        counter.Sum.DataPoints.Should().ContainSingle().Which.AsDouble.Should().Be(5);
        fetchedMetrics.Single(m => m.Name == "my.gauge").Gauge.DataPoints.Should().ContainSingle().Which.AsInt.Should().Be(-4);
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task An_attribute_nested_as_deep_as_protobuf_allows_is_stored_and_fetched_back(bool overGrpc)
    {
        // 47 arrays inside each other: about 100 message levels, protobuf's limit, and about 150 levels of
        // JSON in the stored object. Nothing may be acknowledged that cannot be read back.
        var value = new OpenTelemetry.Proto.Common.V1.AnyValue { StringValue = "leaf" };
        for (var i = 0; i < 47; i++)
        {
            value = new OpenTelemetry.Proto.Common.V1.AnyValue { ArrayValue = new OpenTelemetry.Proto.Common.V1.ArrayValue { Values = { value } } };
        }
        var data = TestSignals.Spans(2, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1), services: 1);
        var scope = Unique("deep");
        data.ResourceSpans[0].ScopeSpans[0].Scope.Name = scope;
        data.ResourceSpans[0].ScopeSpans[1].Scope.Name = scope;
        TestSignals.AllSpans(data.ResourceSpans)[0].Attributes.Add(new OpenTelemetry.Proto.Common.V1.KeyValue { Key = "deep", Value = value });
        if (overGrpc)
        {
            await new TraceService.TraceServiceClient(_server.Channel).ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } });
        }
        else
        {
            await _server.ExportAsync(data, Wire.Protobuf);
        }

        var (start, end) = AroundNow();
        foreach (var wire in new[] { Wire.Json, Wire.Protobuf })
        {
            var fetched = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end }, wire);
            SpansOfScope(fetched.ResourceSpans, scope).Select(s => s.ToString())
                .Should().BeEquivalentTo(TestSignals.AllSpans(data.ResourceSpans).Select(s => s.ToString()), "fetched as {0}", wire);
        }
    }

    [TestCase(Wire.Protobuf)]
    [TestCase(Wire.Json)]
    public async Task Gzip_bodies_are_accepted_and_answered_in_the_request_encoding(Wire wire)
    {
        var data = TestSignals.Spans(5, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1), services: 1);
        var scope = Unique("gzip");
        foreach (var s in data.ResourceSpans[0].ScopeSpans)
        {
            s.Scope.Name = scope;
        }

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), wire.Encode(data), wire.MediaType(), gzip: true);

        var answer = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(wire.MediaType());
        wire.Decode<ExportTraceServiceResponse>(answer).Should().Be(new ExportTraceServiceResponse());
        var (start, end) = AroundNow();
        var fetched = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });
        SpansOfScope(fetched.ResourceSpans, scope).Select(x => x.ToString())
            .Should().BeEquivalentTo(TestSignals.AllSpans(data.ResourceSpans).Select(x => x.ToString()));
    }

    [Test]
    public async Task A_protobuf_success_answer_is_an_empty_protobuf_export_response()
    {
        var data = TestSignals.Logs(2, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1));

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), Wire.Protobuf.Encode(data), Api.ProtobufType);

        var answer = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(Api.ProtobufType);
        ExportLogsServiceResponse.Parser.ParseFrom(answer).Should().Be(new ExportLogsServiceResponse());
    }

    [TestCase(Wire.Protobuf, "application/json")]
    [TestCase(Wire.Json, "application/x-protobuf")]
    public async Task The_answer_has_the_requests_content_type_whatever_accept_says(Wire wire, string accept)
    {
        // OTLP/HTTP: "The server MUST use the same Content-Type in the response as it received in the request."
        var data = TestSignals.Logs(1, DateTimeOffset.UtcNow, TimeSpan.Zero);

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), wire.Encode(data), wire.MediaType(), accept);

        var answer = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(wire.MediaType());
        wire.Decode<ExportLogsServiceResponse>(answer).Should().Be(new ExportLogsServiceResponse());
    }

    [Test]
    public async Task An_error_answer_has_the_requests_content_type_whatever_accept_says()
    {
        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], Api.ProtobufType, accept: Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be(Api.ProtobufType);
        Oteleport.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync()).Code.Should().Be((int)Grpc.Core.StatusCode.InvalidArgument);
    }

    [Test]
    public async Task A_malformed_protobuf_body_is_a_400_with_a_protobuf_status()
    {
        // Field 1 (resource_spans) claims far more bytes than follow.
        byte[] garbage = [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01];

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), garbage, Api.ProtobufType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be(Api.ProtobufType);
        var status = Oteleport.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
        status.Code.Should().Be((int)Grpc.Core.StatusCode.InvalidArgument);
        status.Message.Should().Contain("protobuf");
    }

    [TestCase("{ \"resourceSpans\": [ { \"scopeSpans\": [ { \"spans\": [ { \"traceId\": \"not-hex\" } ] } ] } ] }", "traceId")]
    [TestCase("{ \"resourceSpans\": [", "JSON")]
    [TestCase("[1, 2, 3]", "JSON")]
    public async Task A_malformed_json_body_is_a_400_with_a_json_status(string body, string mentioned)
    {
        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/traces"), Encoding.UTF8.GetBytes(body), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var status = await Api.ReadJsonStatusAsync(response);
        status.Code.Should().Be((int)Grpc.Core.StatusCode.InvalidArgument);
        status.Message.Should().Contain(mentioned);
    }

    [Test]
    public async Task A_body_that_is_not_gzip_under_content_encoding_gzip_is_a_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.Otlp("/v1/traces"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}")),
        };
        request.Content.Headers.ContentType = new(Api.JsonType);
        request.Content.Headers.ContentEncoding.Add("gzip");

        using var response = await _server.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Api.ReadJsonStatusAsync(response)).Message.Should().Contain("gzip");
    }

    [TestCase("/v1/traces")]
    [TestCase("/v1/metrics")]
    [TestCase("/v1/logs")]
    public async Task Text_plain_is_a_415(string path)
    {
        using var response = await _server.Http.PostAsync(_server.Otlp(path), Encoding.UTF8.GetBytes("hello"), "text/plain");

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        var status = await Api.ReadJsonStatusAsync(response);
        status.Message.Should().Contain("text/plain");
    }

    [TestCase("/v1/traces")]
    [TestCase("/v1/metrics")]
    [TestCase("/v1/logs")]
    public async Task Get_is_a_405_that_allows_post(string path)
    {
        using var response = await _server.Http.GetAsync(_server.Otlp(path));

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal("POST");
        (await Api.ReadJsonStatusAsync(response)).Message.Should().Contain("GET");
    }
}
