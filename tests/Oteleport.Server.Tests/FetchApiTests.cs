using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>The REST fetch API and its gRPC twin over data with known contents.</summary>
public sealed class FetchApiTests
{
    private const int SpanCount = 300;
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;
    private ulong _start;
    private ulong _end;
    private List<Span> _sent = null!;

    [OneTimeSetUp]
    public async Task StartAndSeed()
    {
        _folder = new TempFolder("e2e-fetch");
        _server = await ServerInstance.StartAsync(_folder.Path);
        // Five minutes of spans ending a minute ago, sent in three requests (so several objects, maybe two hours).
        var first = DateTimeOffset.UtcNow.AddMinutes(-6);
        var spacing = TimeSpan.FromSeconds(1);
        _sent = [];
        for (var offset = 0; offset < SpanCount; offset += 100)
        {
            var chunk = TestSignals.Spans(100, first + spacing * offset, spacing, services: 3, offset: offset);
            _sent.AddRange(TestSignals.AllSpans(chunk.ResourceSpans));
            await _server.ExportAsync(chunk, offset % 200 == 0 ? Wire.Protobuf : Wire.Json);
        }
        await _server.ExportAsync(TestSignals.Logs(40, first, spacing));
        await _server.ExportAsync(TestSignals.AllMetricKinds(first.AddMinutes(1), points: 3));
        _start = Nanos(first);
        _end = Nanos(first + spacing * SpanCount);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private FetchTracesDataRequest All(long limit = 10_000) => new() { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = limit };

    private static string N(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Test]
    public async Task One_fetch_returns_every_span_sent()
    {
        var page = await _server.FetchTracesAsync(All());

        page.HasMore.Should().BeFalse();
        page.NextCursor.Should().BeEmpty();
        TestSignals.AllSpans(page.ResourceSpans).Select(s => s.ToString()).Should().BeEquivalentTo(_sent.Select(s => s.ToString()));
        page.ResourceSpans.Select(r => r.Resource.ServiceName()).Distinct().Should().BeEquivalentTo("service-0", "service-1", "service-2");
    }

    [Test]
    public async Task End_time_0_means_now_and_limit_0_the_default_of_1000()
    {
        var page = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = _start });

        TestSignals.AllSpans(page.ResourceSpans).Should().HaveCount(SpanCount, "all were sent before now, and 300 is under the default page size");
        page.HasMore.Should().BeFalse();
    }

    [Test]
    public async Task Json_requests_take_start_time_as_a_number_or_a_string()
    {
        var asNumber = $$"""{ "startTimeUnixNano": {{N(_start)}}, "endTimeUnixNano": {{N(_end)}}, "limit": 10000 }""";
        var asString = $$"""{ "startTimeUnixNano": "{{N(_start)}}", "endTimeUnixNano": "{{N(_end)}}", "limit": "10000" }""";

        using var numberResponse = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Utf8(asNumber), Api.JsonType);
        using var stringResponse = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Utf8(asString), Api.JsonType);

        var fromNumber = Wire.Json.Decode<FetchTracesDataResponse>(await Api.ExpectOkAsync(numberResponse));
        var fromString = Wire.Json.Decode<FetchTracesDataResponse>(await Api.ExpectOkAsync(stringResponse));
        TestSignals.AllSpans(fromNumber.ResourceSpans).Should().HaveCount(SpanCount);
        fromString.Should().Be(fromNumber);
    }

    [TestCase("application/json; charset=utf-8", Api.JsonType)]
    [TestCase("Application/JSON", Api.JsonType)]
    [TestCase("application/protobuf", "application/protobuf")]
    public async Task Content_type_parameters_case_and_the_other_protobuf_spelling_are_accepted(string contentType, string answered)
    {
        var wire = contentType.Contains("json", StringComparison.OrdinalIgnoreCase) ? Wire.Json : Wire.Protobuf;

        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), wire.Encode(All(limit: 3)), contentType);

        var body = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(answered);
        TestSignals.AllSpans(wire.Decode<FetchTracesDataResponse>(body).ResourceSpans).Should().HaveCount(3);
    }

    [Test]
    public async Task A_json_response_has_the_go_servers_field_names_and_hex_ids()
    {
        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Utf8($$"""{"startTimeUnixNano":"{{N(_start)}}","endTimeUnixNano":"{{N(_end)}}","limit":2}"""), Api.JsonType);

        using var document = System.Text.Json.JsonDocument.Parse(await Api.ExpectOkAsync(response));
        var root = document.RootElement;
        root.GetProperty("hasMore").GetBoolean().Should().BeTrue();
        root.GetProperty("nextCursor").GetString().Should().NotBeNullOrEmpty();
        var span = root.GetProperty("resourceSpans")[0].GetProperty("scopeSpans")[0].GetProperty("spans")[0];
        span.GetProperty("traceId").GetString().Should().MatchRegex("^[0-9A-F]{32}$");
        span.GetProperty("spanId").GetString().Should().MatchRegex("^[0-9A-F]{16}$");
        span.GetProperty("startTimeUnixNano").ValueKind.Should().Be(System.Text.Json.JsonValueKind.String);
        span.GetProperty("kind").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Number);
    }

    [Test]
    public async Task A_protobuf_request_gets_a_protobuf_response_with_the_same_data()
    {
        var json = await _server.FetchTracesAsync(All(), Wire.Json);
        var protobuf = await _server.FetchTracesAsync(All(), Wire.Protobuf);

        protobuf.Should().Be(json);
        (await _server.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end }, Wire.Protobuf))
            .Should().Be(await _server.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end }, Wire.Json));
        (await _server.FetchMetricsAsync(new FetchMetricsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end }, Wire.Protobuf))
            .Should().Be(await _server.FetchMetricsAsync(new FetchMetricsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end }, Wire.Json));
    }

    [TestCase(Wire.Json, null, Api.JsonType)]
    [TestCase(Wire.Protobuf, null, Api.ProtobufType)]
    [TestCase(Wire.Protobuf, "application/json", Api.JsonType)]
    [TestCase(Wire.Json, "application/x-protobuf", Api.ProtobufType)]
    [TestCase(Wire.Json, "*/*", Api.JsonType)]
    [TestCase(Wire.Protobuf, "*/*", Api.ProtobufType)]
    [TestCase(Wire.Protobuf, "text/html, application/json;q=0.9", Api.JsonType)]
    public async Task The_response_format_follows_accept_else_the_request(Wire request, string? accept, string expected)
    {
        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), request.Encode(All(limit: 5)), request.MediaType(), accept);

        var body = await Api.ExpectOkAsync(response);
        response.Content.Headers.ContentType!.MediaType.Should().Be(expected);
        var answer = (expected == Api.JsonType ? Wire.Json : Wire.Protobuf).Decode<FetchTracesDataResponse>(body);
        TestSignals.AllSpans(answer.ResourceSpans).Should().HaveCount(5);
        answer.HasMore.Should().BeTrue();
    }

    [Test]
    public async Task Paging_with_limit_7_returns_exactly_what_one_fetch_returns()
    {
        var whole = TestSignals.AllSpans((await _server.FetchTracesAsync(All(10_000))).ResourceSpans);

        var pages = await _server.FetchAllTracePagesAsync(_start, _end, limit: 7);

        pages.Should().HaveCount((SpanCount + 6) / 7);
        pages.Should().OnlyContain(p => TestSignals.AllSpans(p.ResourceSpans).Count <= 7);
        pages.SkipLast(1).Should().OnlyContain(p => TestSignals.AllSpans(p.ResourceSpans).Count == 7 && p.HasMore);
        pages.SelectMany(p => TestSignals.AllSpans(p.ResourceSpans)).Should().Equal(whole, "the pages in order are the whole, with nothing twice or lost");
        whole.Should().HaveCount(SpanCount);
    }

    [Test]
    public async Task Paging_in_protobuf_walks_the_same_pages_as_json()
    {
        var json = await _server.FetchAllTracePagesAsync(_start, _end, limit: 50, Wire.Json);
        var protobuf = await _server.FetchAllTracePagesAsync(_start, _end, limit: 50, Wire.Protobuf);

        protobuf.Select(p => TestSignals.AllSpans(p.ResourceSpans).Count).Should().Equal(json.Select(p => TestSignals.AllSpans(p.ResourceSpans).Count));
        protobuf.SelectMany(p => TestSignals.AllSpans(p.ResourceSpans)).Should().Equal(json.SelectMany(p => TestSignals.AllSpans(p.ResourceSpans)));
    }

    [Test]
    public async Task The_grpc_fetch_api_answers_as_the_rest_api_and_shares_its_cursors()
    {
        var client = new OterlportService.OterlportServiceClient(_server.Channel);

        (await client.FetchTracesDataAsync(All())).Should().Be(await _server.FetchTracesAsync(All(), Wire.Protobuf));
        var logs = new FetchLogsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end };
        (await client.FetchLogsDataAsync(logs)).Should().Be(await _server.FetchLogsAsync(logs, Wire.Protobuf));
        var metrics = new FetchMetricsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end };
        var grpcMetrics = await client.FetchMetricsDataAsync(metrics);
        grpcMetrics.Should().Be(await _server.FetchMetricsAsync(metrics, Wire.Protobuf));
        FlattenPoints(grpcMetrics.ResourceMetrics).Should().HaveCount(15, "five kinds of three points each");

        // A cursor from the REST API continues over gRPC to the same second page.
        var restPages = await _server.FetchAllTracePagesAsync(_start, _end, limit: 7);
        var second = await client.FetchTracesDataAsync(new FetchTracesDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 7, Cursor = restPages[0].NextCursor });
        // Cursors carry a random nonce, so only the data and hasMore can be compared.
        second.ResourceSpans.Should().Equal(restPages[1].ResourceSpans);
        second.HasMore.Should().BeTrue();
        var third = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 7, Cursor = second.NextCursor });
        third.ResourceSpans.Should().Equal(restPages[2].ResourceSpans, "and the gRPC cursor continues over REST");
    }

    [Test]
    public async Task The_grpc_fetch_api_reports_bad_arguments_as_invalid_argument()
    {
        var client = new OterlportService.OterlportServiceClient(_server.Channel);

        var missingStart = async () => await client.FetchTracesDataAsync(new FetchTracesDataRequest { Limit = 5 });
        (await missingStart.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.InvalidArgument);
        var tooMany = async () => await client.FetchLogsDataAsync(new FetchLogsDataRequest { StartTimeUnixNano = _start, Limit = 10_001 });
        (await tooMany.Should().ThrowAsync<RpcException>()).Which.Status.Detail.Should().Contain("10000");
    }

    [Test]
    public async Task Missing_start_time_is_a_400()
    {
        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Utf8("""{ "limit": 10 }"""), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var status = await Api.ReadJsonStatusAsync(response);
        status.Code.Should().Be((int)StatusCode.InvalidArgument);
        status.Message.Should().Contain("startTimeUnixNano");
    }

    [Test]
    public async Task A_tampered_cursor_is_a_400_invalid_cursor()
    {
        var first = await _server.FetchTracesAsync(All(limit: 7));
        var cursor = first.NextCursor;
        var middle = cursor.Length / 2;
        var tampered = cursor[..middle] + (cursor[middle] == 'A' ? 'B' : 'A') + cursor[(middle + 1)..];
        var request = All(limit: 7);
        request.Cursor = tampered;

        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Wire.Json.Encode(request), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var status = await Api.ReadJsonStatusAsync(response);
        status.Code.Should().Be((int)StatusCode.InvalidArgument);
        status.Message.Should().Contain("invalid cursor");
    }

    [Test]
    public async Task A_cursor_of_another_signal_is_a_400_invalid_cursor()
    {
        var traces = await _server.FetchTracesAsync(All(limit: 7));

        using var response = await _server.Http.PostAsync(_server.Api("/api/logs/fetch"),
            Wire.Json.Encode(new FetchLogsDataRequest { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 7, Cursor = traces.NextCursor }), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Api.ReadJsonStatusAsync(response)).Message.Should().Contain("invalid cursor");
    }

    [Test]
    public async Task A_limit_over_10000_is_a_400()
    {
        using var response = await _server.Http.PostAsync(_server.Api("/api/metrics/fetch"), Wire.Json.Encode(new FetchMetricsDataRequest { StartTimeUnixNano = _start, Limit = 10_001 }), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var status = await Api.ReadJsonStatusAsync(response);
        status.Code.Should().Be((int)StatusCode.InvalidArgument);
        status.Message.Should().Contain("10000");
    }

    [TestCase("/api/traces/fetch")]
    [TestCase("/api/metrics/fetch")]
    [TestCase("/api/logs/fetch")]
    public async Task An_unknown_content_type_is_a_415(string path)
    {
        using var response = await _server.Http.PostAsync(_server.Api(path), Utf8($$"""{"startTimeUnixNano":"{{N(_start)}}"}"""), "text/plain");

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        (await Api.ReadJsonStatusAsync(response)).Message.Should().Contain("text/plain");
    }

    [TestCase("/api/traces/fetch")]
    [TestCase("/api/metrics/fetch")]
    [TestCase("/api/logs/fetch")]
    public async Task Get_is_a_405(string path)
    {
        using var response = await _server.Http.GetAsync(_server.Api(path));

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.Should().Equal("POST");
        (await Api.ReadJsonStatusAsync(response)).Code.Should().Be((int)StatusCode.Unimplemented);
    }

    [Test]
    public async Task A_malformed_json_request_is_a_400()
    {
        using var response = await _server.Http.PostAsync(_server.Api("/api/traces/fetch"), Utf8("""{ "startTimeUnixNano": "soon" }"""), Api.JsonType);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Api.ReadJsonStatusAsync(response)).Message.Should().Contain("startTimeUnixNano");
    }
}
