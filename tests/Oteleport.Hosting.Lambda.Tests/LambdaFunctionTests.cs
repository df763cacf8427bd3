using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Hosting.Lambda.Tests;

/// <summary>
/// The sample function's real runtime loop, driven with Function URL events through a runtime API server:
/// OTLP/HTTP in, the REST API out, errors, the deadline.
/// </summary>
[NonParallelizable]
public sealed class LambdaFunctionTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddHours(-3);
    private static readonly Dictionary<string, string> WithKey = new() { ["Oteleport-Access-Key"] = LambdaApp.AccessKey };
    private LambdaApp _lambda = null!;

    [OneTimeSetUp]
    public async Task StartFunction() => _lambda = await LambdaApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopFunction() => await _lambda.DisposeAsync();

    [Test]
    public async Task Otlp_protobuf_traces_are_stored_and_fetched_back_as_json()
    {
        var sent = TestSignals.Spans(12, Start, TimeSpan.FromSeconds(1), offset: 100);
        var export = new ExportTraceServiceRequest { ResourceSpans = { sent.ResourceSpans } };

        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/traces", export.ToByteArray(), "application/x-protobuf", headers: WithKey));

        answer.StatusCode.Should().Be(200);
        answer.ContentType.Should().Be("application/x-protobuf");
        answer.Body.Should().BeEmpty("an empty ExportTraceServiceResponse encodes to no bytes");
        ExportTraceServiceResponse.Parser.ParseFrom(answer.BodyBytes).Should().Be(new ExportTraceServiceResponse());
        Directory.EnumerateFiles(Path.Combine(_lambda.Folder.Path, "traces"), "*", SearchOption.AllDirectories)
            .Should().NotBeEmpty("the function writes to the configured store");

        var fetched = await FetchTracesJsonAsync(Start, Start.AddSeconds(12));
        var spans = TestSignals.AllSpans(fetched.ResourceSpans).Where(s => s.Name.StartsWith("span-1", StringComparison.Ordinal)).ToList();
        spans.OrderBy(s => s.Name).Should().Equal(TestSignals.AllSpans(sent.ResourceSpans).OrderBy(s => s.Name));

        // The same store, read without the Lambda host in between.
        var store = _lambda.App.Services.GetRequiredService<ISignalStore>();
        var direct = await store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = TestSignals.UnixNano(Start), EndTimeUnixNano = TestSignals.UnixNano(Start.AddSeconds(12)) });
        TestSignals.AllSpans(direct.ResourceSpans).Where(s => s.Name.StartsWith("span-1", StringComparison.Ordinal)).OrderBy(s => s.Name)
            .Should().Equal(TestSignals.AllSpans(sent.ResourceSpans).OrderBy(s => s.Name));
    }

    [Test]
    public async Task Otlp_json_logs_sent_as_text_are_fetched_back_in_protobuf()
    {
        var logStart = Start.AddMinutes(10);
        var sent = TestSignals.Logs(5, logStart, TimeSpan.FromSeconds(2));
        var export = new ExportLogsServiceRequest { ResourceLogs = { sent.ResourceLogs } };

        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/logs", OtlpJson.Serialize(export), "application/json", textBody: true, headers: WithKey));

        answer.StatusCode.Should().Be(200);
        answer.IsBase64Encoded.Should().BeFalse("JSON travels as text");
        answer.ContentType.Should().Be("application/json");
        answer.Body.Should().Be("{}");

        var request = new FetchLogsDataRequest { StartTimeUnixNano = TestSignals.UnixNano(logStart), EndTimeUnixNano = TestSignals.UnixNano(logStart.AddSeconds(10)) };
        var fetch = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/api/logs/fetch", request.ToByteArray(), "application/x-protobuf",
            headers: new Dictionary<string, string>(WithKey) { ["accept"] = "application/x-protobuf" }));

        fetch.StatusCode.Should().Be(200);
        fetch.IsBase64Encoded.Should().BeTrue();
        fetch.ContentType.Should().Be("application/x-protobuf");
        var response = FetchLogsDataResponse.Parser.ParseFrom(fetch.BodyBytes);
        response.HasMore.Should().BeFalse();
        response.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords)
            .Should().Equal(sent.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords));
    }

    [Test]
    public async Task Gzip_protobuf_metrics_are_decompressed_stored_and_fetched_back()
    {
        var at = Start.AddMinutes(20);
        var sent = TestSignals.AllMetricKinds(at, points: 3);
        var export = new ExportMetricsServiceRequest { ResourceMetrics = { sent.ResourceMetrics } };
        var gzip = Gzip(export.ToByteArray());

        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/metrics", gzip, "application/x-protobuf",
            headers: new Dictionary<string, string>(WithKey) { ["content-encoding"] = "gzip" }));

        answer.StatusCode.Should().Be(200, answer.Body);
        var request = new FetchMetricsDataRequest { StartTimeUnixNano = TestSignals.UnixNano(at.AddMinutes(-1)), EndTimeUnixNano = TestSignals.UnixNano(at.AddMinutes(1)) };
        var fetch = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/api/metrics/fetch", OtlpJson.Serialize(request), "application/json", textBody: true, headers: WithKey));
        fetch.StatusCode.Should().Be(200);
        var response = OtlpJson.Parse<FetchMetricsDataResponse>(fetch.BodyBytes);
        response.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.Name)
            .Should().BeEquivalentTo(sent.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.Name));
        var points = response.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Where(m => m.Name == "latency")
            .SelectMany(m => m.Histogram.DataPoints).ToList();
        points.Should().Equal(sent.ResourceMetrics[0].ScopeMetrics[0].Metrics.Single(m => m.Name == "latency").Histogram.DataPoints);
    }

    [Test]
    public async Task Rest_fetch_pages_with_a_cursor_through_the_function()
    {
        var pageStart = Start.AddMinutes(30);
        var sent = TestSignals.Spans(7, pageStart, TimeSpan.FromSeconds(1), offset: 500);
        (await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/traces",
            new ExportTraceServiceRequest { ResourceSpans = { sent.ResourceSpans } }.ToByteArray(), "application/x-protobuf", headers: WithKey)))
            .StatusCode.Should().Be(200);

        var names = new List<string>();
        var cursor = "";
        var pages = 0;
        do
        {
            var request = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(pageStart), EndTimeUnixNano = TestSignals.UnixNano(pageStart.AddSeconds(7)), Limit = 3, Cursor = cursor };
            var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", OtlpJson.Serialize(request), "application/json", textBody: true, headers: WithKey));
            answer.StatusCode.Should().Be(200, answer.Body);
            var page = OtlpJson.Parse<FetchTracesDataResponse>(answer.BodyBytes);
            names.AddRange(TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name));
            cursor = page.HasMore ? page.NextCursor : "";
            pages++;
        }
        while (cursor.Length > 0 && pages < 10);

        pages.Should().Be(3);
        names.Should().BeEquivalentTo(TestSignals.AllSpans(sent.ResourceSpans).Select(s => s.Name));
    }

    [Test]
    public async Task An_unknown_path_is_404()
    {
        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/no/such/path", headers: WithKey));

        answer.StatusCode.Should().Be(404);
        answer.Body.Should().BeEmpty();
    }

    [Test]
    public async Task Health_needs_no_key()
    {
        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/health"));

        answer.StatusCode.Should().Be(200);
        answer.IsBase64Encoded.Should().BeFalse();
        answer.Body.Should().Be("{\"status\":\"ok\"}");
    }

    [Test]
    public async Task A_missing_access_key_is_401_and_a_wrong_one_403()
    {
        var body = new ExportTraceServiceRequest().ToByteArray();

        var missing = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/traces", body, "application/x-protobuf"));
        var wrong = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", "{\"startTimeUnixNano\":\"1\"}"u8.ToArray(), "application/json",
            textBody: true, headers: new Dictionary<string, string> { ["oteleport-access-key"] = "not-the-key" }));

        missing.StatusCode.Should().Be(401);
        var status = Oteleport.Proto.Rpc.Status.Parser.ParseFrom(missing.BodyBytes);
        status.Code.Should().Be(16, "UNAUTHENTICATED");
        status.Message.Should().Contain("Oteleport-Access-Key");
        wrong.StatusCode.Should().Be(403);
        wrong.Body.Should().Contain("access key rejected");
    }

    [Test]
    public async Task A_handler_exception_posts_an_invocation_error_and_the_next_event_is_served()
    {
        var failed = await _lambda.Runtime.InvokeAsync(FunctionUrlEvents.Request("POST", "/test/throw", "x"u8.ToArray(), "text/plain", textBody: true));

        failed.Response.Should().BeNull();
        failed.Error.Should().NotBeNull();
        failed.Error!.ErrorTypeHeader.Should().Be("System.InvalidOperationException");
        failed.Error.ErrorType.Should().Be("System.InvalidOperationException");
        failed.Error.ErrorMessage.Should().Be("boom from the test endpoint");
        failed.Error.StackTrace.Should().NotBeEmpty();
        failed.Error.ContentType.Should().StartWith("application/json");

        (await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/health"))).StatusCode.Should().Be(200);
    }

    [Test]
    public async Task An_event_that_is_not_a_function_url_request_posts_an_error_and_the_next_event_is_served()
    {
        var notJson = await _lambda.Runtime.InvokeAsync("this is not json"u8.ToArray());
        var otherEvent = await _lambda.Runtime.InvokeAsync("{\"Records\":[{\"eventSource\":\"aws:s3\"}]}"u8.ToArray());
        var restApiEvent = await _lambda.Runtime.InvokeAsync("{\"version\":\"1.0\",\"httpMethod\":\"GET\",\"path\":\"/health\"}"u8.ToArray());

        notJson.Error!.ErrorType.Should().Be("Runtime.InvalidEvent");
        notJson.Error.ErrorTypeHeader.Should().Be("Runtime.InvalidEvent");
        otherEvent.Error!.ErrorMessage.Should().Contain("requestContext.http.method");
        restApiEvent.Error!.ErrorMessage.Should().Contain("'1.0'");

        (await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/health"))).StatusCode.Should().Be(200);
    }

    [Test]
    public async Task The_deadline_aborts_a_slow_request_with_504_and_the_next_event_is_served()
    {
        _lambda.ResetSlowRequest();
        var started = DateTimeOffset.UtcNow;

        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/test/slow"), deadline: TimeSpan.FromSeconds(1.5));

        (await _lambda.SlowRequestAborted.Task.WaitAsync(TimeSpan.FromSeconds(5))).Should().BeTrue();
        var elapsed = DateTimeOffset.UtcNow - started;
        elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(1), "the request runs until 250 ms before its deadline")
            .And.BeLessThan(TimeSpan.FromSeconds(4), "it is aborted at the deadline, not left running");
        answer.StatusCode.Should().Be(504);
        answer.Body.Should().Contain("deadline");

        (await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/health"))).StatusCode.Should().Be(200);
    }

    [Test]
    public async Task Request_fields_cookies_and_headers_map_both_ways()
    {
        var traceId = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1";
        var result = await _lambda.Runtime.InvokeAsync(FunctionUrlEvents.Request("PUT", "/test/echo/a%20b", Encoding.UTF8.GetBytes("héllo"), "text/plain; charset=utf-8",
            textBody: true, headers: new Dictionary<string, string> { ["x-multi"] = "first,second" }, rawQueryString: "a=1&a=2&c=%2F", cookies: ["a=1", "b=2"]), traceId: traceId);

        var answer = FunctionUrlAnswer.Parse(result.Response!);
        answer.StatusCode.Should().Be(202);
        answer.IsBase64Encoded.Should().BeFalse();
        answer.Cookies.Should().Equal("session=abc; Path=/; HttpOnly", "theme=dark");
        answer.Headers.Should().NotContainKey("Set-Cookie");
        answer.Headers["X-Values"].Should().Be("one,two");
        using var echo = JsonDocument.Parse(answer.Body);
        var e = echo.RootElement;
        e.GetProperty("method").GetString().Should().Be("PUT");
        e.GetProperty("scheme").GetString().Should().Be("https");
        e.GetProperty("host").GetString().Should().Be("abcdefghijklmnop.lambda-url.us-east-1.on.aws");
        e.GetProperty("path").GetString().Should().Be("/test/echo/a b");
        e.GetProperty("query").GetString().Should().Be("?a=1&a=2&c=%2F");
        e.GetProperty("queryA").GetString().Should().Be("1,2");
        e.GetProperty("cookie").GetString().Should().Be("a=1; b=2");
        e.GetProperty("cookieB").GetString().Should().Be("2");
        e.GetProperty("multi").GetString().Should().Be("first,second");
        e.GetProperty("contentLength").GetInt64().Should().Be(6, "the decoded body's length");
        e.GetProperty("body").GetString().Should().Be("héllo");
        e.GetProperty("remoteIp").GetString().Should().Be(FunctionUrlEvents.SourceIp);
        e.GetProperty("traceIdentifier").GetString().Should().Be(result.RequestId);
        e.GetProperty("xrayTraceId").GetString().Should().Be(traceId);
    }

    [Test]
    public async Task A_response_above_the_6_MB_limit_becomes_a_500_that_says_so()
    {
        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/test/big", rawQueryString: "bytes=5000000"));

        answer.StatusCode.Should().Be(500);
        answer.Body.Should().Contain("limit");

        var fits = await _lambda.SendAsync(FunctionUrlEvents.Request("GET", "/test/big", rawQueryString: "bytes=4000000"));
        fits.StatusCode.Should().Be(200);
        fits.BodyBytes.Should().HaveCount(4_000_000, "4 MB is 5.3 MB in base64, below the limit");
    }

    [Test]
    public async Task Grpc_requests_are_not_served()
    {
        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
            new byte[5], "application/grpc", headers: WithKey));

        answer.StatusCode.Should().Be(404, "the function maps no gRPC endpoint: a Function URL cannot carry HTTP/2 trailers");
    }

    /// <summary>
    /// The figures behind docs/lambda.md's advice on <c>limit</c>: the size of a page of typical HTTP server
    /// spans in a Function URL answer, in JSON (text, escaped in the answer) and protobuf (base64).
    /// </summary>
    [Test]
    public async Task A_page_of_1000_typical_spans_fits_in_the_6_MB_answer_in_json_and_protobuf()
    {
        var at = Start.AddMinutes(40);
        var spans = TypicalSpans(1000, at);
        (await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/v1/traces",
            new ExportTraceServiceRequest { ResourceSpans = { spans.ResourceSpans } }.ToByteArray(), "application/x-protobuf", headers: WithKey)))
            .StatusCode.Should().Be(200);
        var request = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(at), EndTimeUnixNano = TestSignals.UnixNano(at.AddSeconds(1000)), Limit = 1000 };

        var json = await _lambda.Runtime.InvokeAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", OtlpJson.Serialize(request), "application/json", textBody: true, headers: WithKey));
        var protobuf = await _lambda.Runtime.InvokeAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", request.ToByteArray(), "application/x-protobuf", headers: WithKey));

        var jsonAnswer = FunctionUrlAnswer.Parse(json.Response!);
        var protobufAnswer = FunctionUrlAnswer.Parse(protobuf.Response!);
        TestSignals.AllSpans(OtlpJson.Parse<FetchTracesDataResponse>(jsonAnswer.BodyBytes).ResourceSpans).Should().HaveCount(1000);
        TestSignals.AllSpans(FetchTracesDataResponse.Parser.ParseFrom(protobufAnswer.BodyBytes).ResourceSpans).Should().HaveCount(1000);
        TestContext.Out.WriteLine($"1000 spans: JSON answer {json.Response!.Length} bytes ({json.Response.Length / 1000} per span), protobuf answer {protobuf.Response!.Length} bytes ({protobuf.Response.Length / 1000} per span)");
        json.Response.Length.Should().BeLessThan(6 * 1024 * 1024 / 2, "the default page leaves room for spans twice this size");
        protobuf.Response.Length.Should().BeLessThan(json.Response.Length);
    }

    /// <summary>HTTP server spans as an instrumented web app sends them: a dozen attributes and one event each.</summary>
    private static OpenTelemetry.Proto.Trace.V1.TracesData TypicalSpans(int count, DateTimeOffset first)
    {
        var data = TestSignals.Spans(count, first, TimeSpan.FromSeconds(1), services: 1, offset: 10_000);
        foreach (var span in TestSignals.AllSpans(data.ResourceSpans))
        {
            span.ParentSpanId = TestSignals.SpanId(span.Name.GetHashCode(StringComparison.Ordinal));
            span.Attributes.Add(new[]
            {
                TestSignals.Attr("http.request.method", "GET"),
                TestSignals.Attr("url.scheme", "https"),
                TestSignals.Attr("url.path", "/api/orders/12345/items"),
                TestSignals.Attr("url.query", "page=2&size=50"),
                TestSignals.Attr("http.route", "/api/orders/{id}/items"),
                TestSignals.Attr("http.response.status_code", 200),
                TestSignals.Attr("server.address", "shop.example.com"),
                TestSignals.Attr("server.port", 443),
                TestSignals.Attr("client.address", "203.0.113.7"),
                TestSignals.Attr("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"),
                TestSignals.Attr("network.protocol.version", "1.1"),
            });
            span.Events.Add(new Span.Types.Event { Name = "cache.miss", TimeUnixNano = span.StartTimeUnixNano + 1000, Attributes = { TestSignals.Attr("cache.key", "orders:12345") } });
            span.Status = new Status { Code = Status.Types.StatusCode.Ok };
        }
        data.ResourceSpans[0].Resource.Attributes.Add(new[]
        {
            TestSignals.Attr("service.version", "1.4.2"),
            TestSignals.Attr("deployment.environment.name", "production"),
            TestSignals.Attr("telemetry.sdk.language", "dotnet"),
            TestSignals.Attr("telemetry.sdk.name", "opentelemetry"),
            TestSignals.Attr("telemetry.sdk.version", "1.14.0"),
        });
        return data;
    }

    private async Task<FetchTracesDataResponse> FetchTracesJsonAsync(DateTimeOffset from, DateTimeOffset to)
    {
        var request = new FetchTracesDataRequest { StartTimeUnixNano = TestSignals.UnixNano(from), EndTimeUnixNano = TestSignals.UnixNano(to) };
        var answer = await _lambda.SendAsync(FunctionUrlEvents.Request("POST", "/api/traces/fetch", OtlpJson.Serialize(request), "application/json", textBody: true, headers: WithKey));
        answer.StatusCode.Should().Be(200, answer.Body);
        answer.IsBase64Encoded.Should().BeFalse();
        return OtlpJson.Parse<FetchTracesDataResponse>(answer.BodyBytes);
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }
        return output.ToArray();
    }
}
