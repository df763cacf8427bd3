using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Cursor;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// The bad-input table of docs/reliability.md, row by row (each test case is named as its row): every bad
/// request gets its status, its google.rpc.Status code and a message that says what is wrong, and stores
/// nothing; a valid but empty Export is a 200 that stores nothing.
/// </summary>
public sealed class BadInputTests
{
    private const int Limit = 64 * 1024;
    private static readonly ulong Start = Nanos(DateTimeOffset.UtcNow.AddHours(-1));
    private static readonly ulong End = Nanos(DateTimeOffset.UtcNow.AddMinutes(5));
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;
    private string _tracesCursor = null!;
    private string _logsCursor = null!;

    /// <summary>One row: a request and the answer it must get.</summary>
    public sealed record Row(string Method, string Path, string? ContentType, byte[] Body, HttpStatusCode Status, StatusCode Code, string Message, string? Encoding = null)
    {
        public bool Api => Path.StartsWith("/api", StringComparison.Ordinal);
    }

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-bad-input");
        _server = await ServerInstance.StartAsync(_folder.Path, $"--Oteleport:Limits:MaxRequestBytes={Limit}");
        // Something to page through, so that cursors exist.
        await _server.ExportAsync(TestSignals.Spans(5, DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromSeconds(1)));
        await _server.ExportAsync(TestSignals.Logs(5, DateTimeOffset.UtcNow.AddMinutes(-10), TimeSpan.FromSeconds(1)));
        _tracesCursor = (await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = Start, EndTimeUnixNano = End, Limit = 2 })).NextCursor;
        _logsCursor = (await _server.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = Start, EndTimeUnixNano = End, Limit = 2 })).NextCursor;
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static string SpanJson(string fields) => $$"""{"resourceSpans":[{"scopeSpans":[{"spans":[{{{fields}}}]}]}]}""";

    private static string Fetch(string fields) => "{" + fields + "}";

    private static TestCaseData Case(string name, Row row) => new TestCaseData(row).SetName(name);

    private static IEnumerable<TestCaseData> OtlpHttpRows()
    {
        const string pb = Api.ProtobufType, json = Api.JsonType;
        yield return Case("OTLP/HTTP: malformed protobuf", new("POST", "/v1/traces", pb, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 0x01], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid protobuf body"));
        yield return Case("OTLP/HTTP: truncated protobuf", new("POST", "/v1/metrics", pb, [0x0A, 0x05, 0x0A], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid protobuf body"));
        yield return Case("OTLP/HTTP: malformed JSON", new("POST", "/v1/traces", json, Utf8("""{"resourceSpans": ["""), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid JSON body"));
        yield return Case("OTLP/HTTP: JSON that is not an object", new("POST", "/v1/logs", json, Utf8("[1, 2, 3]"), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "expected a JSON object"));
        yield return Case("OTLP/HTTP: JSON object where an array belongs", new("POST", "/v1/traces", json, Utf8("""{"resourceSpans": {}}"""), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "resourceSpans: expected an array, got an object"));
        yield return Case("OTLP/HTTP: JSON number where a string belongs", new("POST", "/v1/traces", json, Utf8(SpanJson("\"name\": 5")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].name: expected a string, got a number"));
        yield return Case("OTLP/HTTP: JSON boolean where a uint64 belongs", new("POST", "/v1/traces", json, Utf8(SpanJson("\"startTimeUnixNano\": true")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].startTimeUnixNano: expected a number (uint64)"));
        yield return Case("OTLP/HTTP: JSON uint64 out of range", new("POST", "/v1/traces", json, Utf8(SpanJson("\"startTimeUnixNano\": \"18446744073709551616\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].startTimeUnixNano"));
        yield return Case("OTLP/HTTP: non-hex trace id", new("POST", "/v1/traces", json, Utf8(SpanJson("\"traceId\": \"5B8EFFF798038103D269B633813FC6ZZ\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].traceId: expected 32 hex digits"));
        yield return Case("OTLP/HTTP: odd-length span id", new("POST", "/v1/traces", json, Utf8(SpanJson("\"spanId\": \"EEE19B7EC3C1B17\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].spanId: expected 16 hex digits, got 15 characters"));
        yield return Case("OTLP/HTTP: base64 trace id", new("POST", "/v1/traces", json, Utf8(SpanJson("\"traceId\": \"W47/95gDgQPSabYzgT/GDA==\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "spans[0].traceId: expected 32 hex digits"));
        yield return Case("OTLP/HTTP: empty JSON body", new("POST", "/v1/traces", json, [], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid JSON body"));
        yield return Case("OTLP/HTTP: protobuf under a JSON content type", new("POST", "/v1/traces", json, Wire.Protobuf.Encode(TestSignals.Spans(1, DateTimeOffset.UtcNow, TimeSpan.Zero)), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid JSON body"));
        yield return Case("OTLP/HTTP: unknown content type", new("POST", "/v1/traces", "text/plain", Utf8("hello"), HttpStatusCode.UnsupportedMediaType, StatusCode.InvalidArgument, "Content-Type 'text/plain' is not supported"));
        yield return Case("OTLP/HTTP: no content type", new("POST", "/v1/logs", null, Utf8("{}"), HttpStatusCode.UnsupportedMediaType, StatusCode.InvalidArgument, "no Content-Type: use application/x-protobuf or application/json"));
        yield return Case("OTLP/HTTP: unknown content encoding", new("POST", "/v1/traces", pb, [], HttpStatusCode.UnsupportedMediaType, StatusCode.InvalidArgument, "Content-Encoding 'br' is not supported", Encoding: "br"));
        yield return Case("OTLP/HTTP: gzip header on a body that is not gzip", new("POST", "/v1/traces", json, Utf8("{}"), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "the body is not valid gzip", Encoding: "gzip"));
        yield return Case("OTLP/HTTP: GET", new("GET", "/v1/traces", null, [], HttpStatusCode.MethodNotAllowed, StatusCode.Unimplemented, "method GET is not allowed: use POST"));
        yield return Case("OTLP/HTTP: PUT", new("PUT", "/v1/metrics", pb, [], HttpStatusCode.MethodNotAllowed, StatusCode.Unimplemented, "method PUT is not allowed: use POST"));
        yield return Case("OTLP/HTTP: body over limits.max_request_bytes", new("POST", "/v1/traces", pb, new byte[Limit + 1], HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted, "larger than 65536 bytes (limits.max_request_bytes)"));
        yield return Case("OTLP/HTTP: gzip bomb (16 MiB of zeros in 16 KiB)", new("POST", "/v1/logs", pb, Api.Gzip(new byte[16 * 1024 * 1024]), HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted, "larger than 65536 bytes (limits.max_request_bytes)", Encoding: "gzip"));
    }

    private static IEnumerable<TestCaseData> EmptyExportRows()
    {
        yield return Case("OTLP/HTTP: empty protobuf body is an empty Export", new("POST", "/v1/traces", Api.ProtobufType, [], HttpStatusCode.OK, StatusCode.OK, ""));
        yield return Case("OTLP/HTTP: {} is an empty Export", new("POST", "/v1/metrics", Api.JsonType, Utf8("{}"), HttpStatusCode.OK, StatusCode.OK, ""));
        yield return Case("OTLP/HTTP: a resource without records", new("POST", "/v1/logs", Api.JsonType, Utf8("""{"resourceLogs":[{"resource":{},"scopeLogs":[{"logRecords":[]}]}]}"""), HttpStatusCode.OK, StatusCode.OK, ""));
        yield return Case("OTLP/HTTP: unknown JSON fields are ignored", new("POST", "/v1/traces", Api.JsonType, Utf8("""{"resourceSpanz":[{"x":1}]}"""), HttpStatusCode.OK, StatusCode.OK, ""));
    }

    private static IEnumerable<TestCaseData> ApiRows()
    {
        const string json = Api.JsonType;
        var range = $"\"startTimeUnixNano\":\"{N(Start)}\",\"endTimeUnixNano\":\"{N(End)}\"";
        yield return Case("API: missing startTimeUnixNano", new("POST", "/api/traces/fetch", json, Utf8(Fetch("\"limit\": 10")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano is required"));
        yield return Case("API: empty protobuf body", new("POST", "/api/logs/fetch", Api.ProtobufType, [], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano is required"));
        yield return Case("API: start after end", new("POST", "/api/traces/fetch", json, Utf8(Fetch($"\"startTimeUnixNano\":\"{N(End)}\",\"endTimeUnixNano\":\"{N(Start)}\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano is after endTimeUnixNano"));
        yield return Case("API: start in the future (end 0 = now)", new("POST", "/api/metrics/fetch", json, Utf8(Fetch($"\"startTimeUnixNano\":\"{N(Nanos(DateTimeOffset.UtcNow.AddDays(1)))}\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano is in the future"));
        yield return Case("API: range over limits.max_fetch_range", new("POST", "/api/traces/fetch", json, Utf8(Fetch("\"startTimeUnixNano\": 1")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "the time range is longer than 31 days (limits.max_fetch_range)"));
        yield return Case("API: negative limit", new("POST", "/api/logs/fetch", json, Utf8(Fetch(range + ",\"limit\": -1")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "limit must not be negative"));
        yield return Case("API: limit over limits.max_fetch_limit", new("POST", "/api/traces/fetch", json, Utf8(Fetch(range + ",\"limit\": 10001")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "limit 10001 is above the maximum of 10000"));
        yield return Case("API: time that is not a number", new("POST", "/api/traces/fetch", json, Utf8(Fetch("\"startTimeUnixNano\": \"soon\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano"));
        yield return Case("API: limit of the wrong JSON type", new("POST", "/api/traces/fetch", json, Utf8(Fetch(range + ",\"limit\": true")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "limit: expected a number (int64)"));
        yield return Case("API: cursor that is not base64url", new("POST", "/api/traces/fetch", json, Utf8(Fetch(range + ",\"cursor\": \"!!!\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid cursor: it is not base64url"));
        yield return Case("API: truncated cursor", new("POST", "/api/traces/fetch", json, Utf8(Fetch(range + ",\"cursor\": \"AQID\"")), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid cursor: it is truncated or of an unknown version"));
        yield return Case("API: malformed JSON", new("POST", "/api/traces/fetch", json, Utf8("{\"startTimeUnixNano\": "), HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid JSON body"));
        yield return Case("API: empty JSON body", new("POST", "/api/metrics/fetch", json, [], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid JSON body"));
        yield return Case("API: malformed protobuf", new("POST", "/api/traces/fetch", Api.ProtobufType, [0x1A, 0x7F, 0x41], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "invalid protobuf body"));
        yield return Case("API: unknown content type", new("POST", "/api/traces/fetch", "application/xml", Utf8("<fetch/>"), HttpStatusCode.UnsupportedMediaType, StatusCode.InvalidArgument, "Content-Type 'application/xml' is not supported"));
        yield return Case("API: GET", new("GET", "/api/logs/fetch", null, [], HttpStatusCode.MethodNotAllowed, StatusCode.Unimplemented, "method GET is not allowed: use POST"));
        yield return Case("API: body over limits.max_request_bytes", new("POST", "/api/traces/fetch", json, new byte[Limit + 1], HttpStatusCode.RequestEntityTooLarge, StatusCode.ResourceExhausted, "limits.max_request_bytes"));
        yield return Case("API: trace lookup with an id that is not 32 hex digits", new("GET", "/api/traces/5B8EFFF7", null, [], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "'5B8EFFF7' is not a trace id: use 32 hex digits"));
        yield return Case("API: trace lookup with a time that is not a number", new("GET", "/api/traces/5B8EFFF798038103D269B633813FC60C?startTimeUnixNano=yesterday", null, [], HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "startTimeUnixNano must be a number of nanoseconds"));
    }

    /// <summary>One gRPC row: a raw request message to a method and the status it must get.</summary>
    public sealed record GrpcRow(string Service, string Method, byte[] Message, StatusCode Code, string Detail);

    private static TestCaseData GrpcCase(string name, GrpcRow row) => new TestCaseData(row).SetName(name);

    private static IEnumerable<TestCaseData> GrpcRows()
    {
        const string traces = "opentelemetry.proto.collector.trace.v1.TraceService", logs = "opentelemetry.proto.collector.logs.v1.LogsService";
        const string fetch = "oteleport.proto.v1.OterlportService";
        byte[] Request(FetchTracesDataRequest request) => Wire.Protobuf.Encode(request);
        yield return GrpcCase("gRPC: malformed protobuf Export", new(traces, "Export", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], StatusCode.InvalidArgument, "invalid protobuf message"));
        yield return GrpcCase("gRPC: truncated protobuf Export", new(logs, "Export", [0x0A, 0x05, 0x0A], StatusCode.InvalidArgument, "invalid protobuf message"));
        yield return GrpcCase("gRPC: Export over limits.max_request_bytes", new(traces, "Export", new byte[Limit + 1], StatusCode.ResourceExhausted, "Received message exceeds the maximum configured message size"));
        yield return GrpcCase("gRPC: empty Export", new(traces, "Export", [], StatusCode.OK, ""));
        yield return GrpcCase("gRPC fetch: malformed protobuf", new(fetch, "FetchTracesData", [0x1A, 0x7F, 0x41], StatusCode.InvalidArgument, "invalid protobuf message"));
        yield return GrpcCase("gRPC fetch: missing start time", new(fetch, "FetchTracesData", Request(new() { Limit = 5 }), StatusCode.InvalidArgument, "startTimeUnixNano is required"));
        yield return GrpcCase("gRPC fetch: start after end", new(fetch, "FetchTracesData", Request(new() { StartTimeUnixNano = End, EndTimeUnixNano = Start }), StatusCode.InvalidArgument, "startTimeUnixNano is after endTimeUnixNano"));
        yield return GrpcCase("gRPC fetch: range over limits.max_fetch_range", new(fetch, "FetchLogsData", Request(new() { StartTimeUnixNano = 1 }), StatusCode.InvalidArgument, "limits.max_fetch_range"));
        yield return GrpcCase("gRPC fetch: negative limit", new(fetch, "FetchMetricsData", Request(new() { StartTimeUnixNano = Start, Limit = -5 }), StatusCode.InvalidArgument, "limit must not be negative"));
        yield return GrpcCase("gRPC fetch: limit over limits.max_fetch_limit", new(fetch, "FetchTracesData", Request(new() { StartTimeUnixNano = Start, Limit = 10_001 }), StatusCode.InvalidArgument, "limit 10001 is above the maximum of 10000"));
        yield return GrpcCase("gRPC fetch: cursor that is not base64url", new(fetch, "FetchTracesData", Request(new() { StartTimeUnixNano = Start, Cursor = "!!!" }), StatusCode.InvalidArgument, "invalid cursor: it is not base64url"));
        yield return GrpcCase("gRPC trace lookup: id that is not 16 bytes", new(fetch, "GetTrace", Wire.Protobuf.Encode(new GetTraceRequest { TraceId = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }), StatusCode.InvalidArgument, "a trace id is 32 hex digits"));
    }

    [TestCaseSource(nameof(GrpcRows))]
    public async Task Bad_grpc_input_gets_its_status_and_changes_nothing(GrpcRow row)
    {
        var before = StoredObjects();
        var method = new Method<byte[], byte[]>(MethodType.Unary, row.Service, row.Method,
            Marshallers.Create(static b => b, static b => b), Marshallers.Create(static b => b, static b => b));

        var call = async () => await _server.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(), row.Message);

        if (row.Code == StatusCode.OK)
        {
            await call.Should().NotThrowAsync();
        }
        else
        {
            var status = (await call.Should().ThrowAsync<RpcException>()).Which.Status;
            TestContext.Out.WriteLine($"ROW {status.StatusCode} | {status.Detail}");
            status.StatusCode.Should().Be(row.Code);
            status.Detail.Should().Contain(row.Detail).And.NotContain("Exception");
        }
        StoredObjects().Should().Equal(before, "a rejected or empty Export stores nothing");
    }

    [TestCaseSource(nameof(OtlpHttpRows))]
    [TestCaseSource(nameof(ApiRows))]
    public async Task Bad_input_gets_its_answer_and_changes_nothing(Row row)
    {
        var before = StoredObjects();

        var (status, error, contentType) = await SendAsync(row);

        TestContext.Out.WriteLine($"ROW {(int)status} | {(StatusCode)error.Code} | {error.Message}");
        status.Should().Be(row.Status);
        error.Code.Should().Be((int)row.Code);
        error.Message.Should().Contain(row.Message).And.NotContain("   at ").And.NotContain("Exception");
        contentType.Should().Be(row.ContentType?.Contains("protobuf", StringComparison.Ordinal) == true ? row.ContentType : Api.JsonType,
            "the error is in the request's encoding (JSON when that is unknown)");
        StoredObjects().Should().Equal(before, "a rejected request stores nothing");
    }

    [TestCaseSource(nameof(EmptyExportRows))]
    public async Task An_empty_export_is_a_200_that_stores_nothing(Row row)
    {
        var before = StoredObjects();

        var (status, _, _) = await SendAsync(row);

        status.Should().Be(HttpStatusCode.OK);
        StoredObjects().Should().Equal(before);
    }

    [Test]
    public async Task API_tampered_cursor()
    {
        var middle = _tracesCursor.Length / 2;
        var tampered = _tracesCursor[..middle] + (_tracesCursor[middle] == 'A' ? 'B' : 'A') + _tracesCursor[(middle + 1)..];
        await ExpectInvalidCursorAsync("/api/traces/fetch", tampered, "invalid cursor: it was modified or made by a server with another cursor key");
    }

    [Test]
    public async Task API_cursor_of_a_server_with_another_key()
    {
        var foreign = new AesGcmCursorCodec(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
            .Encode(new CursorPosition("2024/10/23/09", "traces/2024/10/23/09/spans-20241023093000-abcdefgh.json.gz", 0, new byte[16]));
        await ExpectInvalidCursorAsync("/api/traces/fetch", foreign, "invalid cursor: it was modified or made by a server with another cursor key");
    }

    [Test]
    public async Task API_cursor_of_another_signal() =>
        await ExpectInvalidCursorAsync("/api/traces/fetch", _logsCursor, "invalid cursor: it belongs to another query");

    [Test]
    public async Task API_cursor_of_another_time_range() =>
        await ExpectInvalidCursorAsync("/api/traces/fetch", _tracesCursor, "invalid cursor: it belongs to another query", end: End + 1);

    private async Task ExpectInvalidCursorAsync(string path, string cursor, string message, ulong? end = null)
    {
        var body = Wire.Json.Encode(new FetchTracesDataRequest { StartTimeUnixNano = Start, EndTimeUnixNano = end ?? End, Limit = 2, Cursor = cursor });
        var (status, error, _) = await SendAsync(new Row("POST", path, Api.JsonType, body, HttpStatusCode.BadRequest, StatusCode.InvalidArgument, message));
        TestContext.Out.WriteLine($"ROW {(int)status} | {(StatusCode)error.Code} | {error.Message}");
        status.Should().Be(HttpStatusCode.BadRequest);
        error.Code.Should().Be((int)StatusCode.InvalidArgument);
        error.Message.Should().StartWith(message);
    }

    private async Task<(HttpStatusCode Status, Oteleport.Proto.Rpc.Status Error, string? ContentType)> SendAsync(Row row)
    {
        using var request = new HttpRequestMessage(new HttpMethod(row.Method), row.Api ? _server.Api(row.Path) : _server.Otlp(row.Path));
        if (row.Method != "GET")
        {
            request.Content = new ByteArrayContent(row.Body);
            if (row.ContentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", row.ContentType);
            }
            if (row.Encoding is not null)
            {
                request.Content.Headers.ContentEncoding.Add(row.Encoding);
            }
        }
        using var response = await _server.Http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var contentType = response.Content.Headers.ContentType?.MediaType;
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return (response.StatusCode, new Oteleport.Proto.Rpc.Status(), contentType);
        }
        var error = contentType == Api.JsonType ? Wire.Json.Decode<Oteleport.Proto.Rpc.Status>(body) : Oteleport.Proto.Rpc.Status.Parser.ParseFrom(body);
        return (response.StatusCode, error, contentType);
    }

    private List<string> StoredObjects() =>
        Directory.EnumerateFiles(_folder.Path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(_folder.Path, f))
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal)
            .ToList();
}
