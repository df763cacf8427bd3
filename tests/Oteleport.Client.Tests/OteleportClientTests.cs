using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Client;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Client.Tests;

/// <summary>The client against the real standalone server, which requires an access key.</summary>
[TestFixture]
public sealed class OteleportClientTests
{
    private const string Key = "client-test-key";
    private static readonly DateTimeOffset Base = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private RunningServer _server = null!;
    private HttpClient _http = null!;
    private TracesData _spans = null!;
    private MetricsData _metrics = null!;
    private LogsData _logs = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await RunningServer.StartAsync(Key);
        _http = new HttpClient();
        // 25 spans over two hour partitions, so that paging crosses objects and partitions.
        _spans = TestSignals.Spans(25, Base.AddMinutes(50), TimeSpan.FromMinutes(1));
        await _server.SendAsync(_spans);
        _metrics = TestSignals.AllMetricKinds(Base.AddMinutes(5), points: 3);
        await _server.SendAsync(_metrics);
        _logs = TestSignals.Logs(12, Base.AddMinutes(5), TimeSpan.FromSeconds(10));
        await _server.SendAsync(_logs);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private OteleportClient Client(OteleportWireFormat format = OteleportWireFormat.Protobuf, string? key = Key) =>
        new(_http, new OteleportClientOptions { Endpoint = _server.ApiEndpoint, AccessKey = key, Format = format });

    private static OteleportTimeRange Range => OteleportTimeRange.Between(Base, Base.AddHours(2));

    [TestCase(OteleportWireFormat.Protobuf)]
    [TestCase(OteleportWireFormat.Json)]
    public async Task ReadTracesAsync_follows_the_cursor_until_the_range_is_read(OteleportWireFormat format)
    {
        var pages = new List<FetchTracesDataResponse>();
        await foreach (var page in Client(format).ReadTracesAsync(Range, limit: 10))
        {
            pages.Add(page);
        }

        pages.Select(p => TestSignals.AllSpans(p.ResourceSpans).Count).Should().Equal(10, 10, 5);
        pages.Select(p => p.HasMore).Should().Equal(true, true, false);
        Records.Of(pages.SelectMany(p => p.ResourceSpans)).Should().Equal(Records.Of(_spans));
    }

    [Test]
    public async Task ReadMetricsAsync_and_ReadLogsAsync_return_what_was_sent()
    {
        var client = Client(OteleportWireFormat.Json);
        var metrics = new List<ResourceMetrics>();
        await foreach (var page in client.ReadMetricsAsync(Range, limit: 4))
        {
            metrics.AddRange(page.ResourceMetrics);
        }
        var logs = new List<ResourceLogs>();
        await foreach (var page in client.ReadLogsAsync(Range, limit: 5))
        {
            logs.AddRange(page.ResourceLogs);
        }

        Records.Of(metrics).Should().HaveCount(15).And.Equal(Records.Of(_metrics));
        Records.Of(logs).Should().HaveCount(12).And.Equal(Records.Of(_logs));
    }

    [Test]
    public async Task FetchTracesAsync_returns_one_page_and_the_cursor_of_the_next()
    {
        var client = Client();
        var request = new FetchTracesDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano, EndTimeUnixNano = Range.EndTimeUnixNano, Limit = 20 };
        var first = await client.FetchTracesAsync(request);
        first.HasMore.Should().BeTrue();
        first.NextCursor.Should().NotBeEmpty();

        var second = await client.FetchTracesAsync(new FetchTracesDataRequest(request) { Cursor = first.NextCursor });

        TestSignals.AllSpans(first.ResourceSpans).Should().HaveCount(20);
        TestSignals.AllSpans(second.ResourceSpans).Should().HaveCount(5);
        second.HasMore.Should().BeFalse();
        second.NextCursor.Should().BeEmpty();
    }

    [Test]
    public async Task An_empty_range_is_one_empty_page()
    {
        var pages = new List<FetchLogsDataResponse>();
        await foreach (var page in Client().ReadLogsAsync(OteleportTimeRange.Between(Base.AddDays(-3), Base.AddDays(-2))))
        {
            pages.Add(page);
        }
        pages.Should().ContainSingle().Which.ResourceLogs.Should().BeEmpty();
    }

    [TestCase(OteleportWireFormat.Protobuf)]
    [TestCase(OteleportWireFormat.Json)]
    public async Task A_wrong_key_is_a_typed_403_with_the_status_of_the_body(OteleportWireFormat format)
    {
        var act = () => Client(format, key: "wrong").FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano });

        var error = (await act.Should().ThrowAsync<OteleportClientException>()).Which;
        error.HttpStatus.Should().Be(HttpStatusCode.Forbidden);
        error.RpcCode.Should().Be(StatusCode.PermissionDenied);
        error.RpcMessage.Should().Be("access key rejected");
        error.RequestUri.Should().Be(new Uri(_server.ApiEndpoint, "/api/traces/fetch"));
        error.Message.Should().Contain("403").And.Contain("access key rejected").And.NotContain(Key);
    }

    [Test]
    public async Task No_key_is_a_typed_401()
    {
        var act = () => Client(key: null).FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano });

        var error = (await act.Should().ThrowAsync<OteleportClientException>()).Which;
        error.HttpStatus.Should().Be(HttpStatusCode.Unauthorized);
        error.RpcCode.Should().Be(StatusCode.Unauthenticated);
        error.RpcMessage.Should().Contain(RunningServer.AccessKeyHeader);
    }

    [Test]
    public async Task Bad_requests_are_typed_400s_with_the_servers_reason()
    {
        var client = Client(OteleportWireFormat.Json);
        Func<Task> tooLarge = () => client.FetchMetricsAsync(new FetchMetricsDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano, Limit = 1_000_000 });
        Func<Task> tampered = () => client.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano, EndTimeUnixNano = Range.EndTimeUnixNano, Cursor = "bm90IGEgY3Vyc29y" });
        Func<Task> noStart = () => client.FetchTracesAsync(new FetchTracesDataRequest());

        foreach (var (act, reason) in new[] { (tooLarge, "above the maximum"), (tampered, "invalid cursor"), (noStart, "startTimeUnixNano is required") })
        {
            var error = (await act.Should().ThrowAsync<OteleportClientException>()).Which;
            error.HttpStatus.Should().Be(HttpStatusCode.BadRequest);
            error.RpcCode.Should().Be(StatusCode.InvalidArgument);
            error.RpcMessage.Should().Contain(reason);
        }
    }

    [Test]
    public async Task A_cursor_of_another_range_is_refused_rather_than_misread()
    {
        var client = Client();
        var first = await client.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano, EndTimeUnixNano = Range.EndTimeUnixNano, Limit = 5 });
        var act = () => client.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano + 1, EndTimeUnixNano = Range.EndTimeUnixNano, Limit = 5, Cursor = first.NextCursor });

        (await act.Should().ThrowAsync<OteleportClientException>()).Which.RpcMessage.Should().Contain("invalid cursor");
    }

    [Test]
    public async Task An_unreachable_server_is_a_connection_exception_naming_the_endpoint()
    {
        var endpoint = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        var client = new OteleportClient(_http, new OteleportClientOptions { Endpoint = endpoint });

        var act = async () =>
        {
            await foreach (var _ in client.ReadTracesAsync(Range))
            {
            }
        };

        var error = (await act.Should().ThrowAsync<OteleportConnectionException>()).Which;
        error.Endpoint.Should().Be(endpoint);
        error.Message.Should().StartWith($"cannot reach http://127.0.0.1:{endpoint.Port}: ");
        error.Reason.Should().NotBeEmpty();
    }

    [Test]
    public async Task No_answer_within_the_timeout_is_a_connection_exception()
    {
        // A listener that accepts connections and never answers.
        using var silent = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var http = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
        var client = new OteleportClient(http, new OteleportClientOptions { Endpoint = new Uri($"http://127.0.0.1:{port}") });

        var act = () => client.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = 1 });

        (await act.Should().ThrowAsync<OteleportConnectionException>()).Which.Reason.Should().Contain("no answer within 0.3 s");
    }

    [Test]
    public async Task The_callers_cancellation_stays_a_cancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var act = () => Client().FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = 1 }, cancelled.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
    }

    [Test]
    public async Task AddOteleportClient_registers_a_typed_client_with_its_options()
    {
        var services = new ServiceCollection();
        services.AddOteleportClient(o =>
        {
            o.Endpoint = _server.ApiEndpoint;
            o.AccessKey = Key;
            o.Format = OteleportWireFormat.Json;
        });
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<OteleportClient>();
        var spans = new List<Span>();
        await foreach (var page in client.ReadTracesAsync(Range))
        {
            spans.AddRange(TestSignals.AllSpans(page.ResourceSpans));
        }

        spans.Should().HaveCount(25);
        client.BaseAddress.Should().Be(_server.ApiEndpoint);
        provider.GetRequiredService<OteleportClient>().Should().NotBeSameAs(client, "a typed client is transient, its handler pooled");
    }

    [Test]
    public async Task A_path_prefix_and_a_custom_header_reach_a_server_configured_so()
    {
        await using var server = await RunningServer.StartAsync(accessKey: null, apiPrefix: "/oteleport");
        await server.SendAsync(TestSignals.Logs(3, Base, TimeSpan.FromSeconds(1)));
        var services = new ServiceCollection();
        services.AddOteleportClient(o =>
        {
            o.Endpoint = server.ApiEndpoint;
            o.PathPrefix = "oteleport/";
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<OteleportClient>();

        var page = await client.FetchLogsAsync(new FetchLogsDataRequest { StartTimeUnixNano = Range.StartTimeUnixNano, EndTimeUnixNano = Range.EndTimeUnixNano });

        client.BaseAddress.AbsoluteUri.Should().Be(server.ApiUrl + "/oteleport");
        page.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords).Should().HaveCount(3);
    }

    [TestCase("relative/path")]
    [TestCase("ftp://example.org/")]
    public void An_endpoint_that_is_not_an_http_url_is_refused_at_construction(string endpoint)
    {
        var act = () => new OteleportClient(_http, new OteleportClientOptions { Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute) });

        act.Should().Throw<ArgumentException>().WithMessage("*http or https*");
    }

    [Test]
    public async Task A_range_needs_a_start()
    {
        var act = async () =>
        {
            await foreach (var _ in Client().ReadTracesAsync(new OteleportTimeRange(0)))
            {
            }
        };

        await act.Should().ThrowAsync<ArgumentException>().WithMessage("*start*");
    }

    [TestCase(OteleportWireFormat.Protobuf)]
    [TestCase(OteleportWireFormat.Json)]
    public async Task A_filter_narrows_every_page_and_the_cursor_follows_it(OteleportWireFormat format)
    {
        // service-0 holds the even spans: 13 of the 25; pages of 5 cross objects and the hour.
        var filter = new FetchFilter { ServiceName = "service-0", SpanKind = Span.Types.SpanKind.Server };
        var pages = new List<FetchTracesDataResponse>();
        await foreach (var page in Client(format).ReadTracesAsync(Range, filter, limit: 5))
        {
            pages.Add(page);
        }

        pages.Select(p => TestSignals.AllSpans(p.ResourceSpans).Count).Should().Equal(5, 5, 3);
        var expected = _spans.Clone();
        expected.ResourceSpans.RemoveAt(1);
        Records.Of(pages.SelectMany(p => p.ResourceSpans)).Should().Equal(Records.Of(expected));
    }

    [TestCase(OteleportWireFormat.Protobuf)]
    [TestCase(OteleportWireFormat.Json)]
    public async Task Trace_id_and_attribute_filters_reach_the_server_in_either_format(OteleportWireFormat format)
    {
        var client = Client(format);
        var byTrace = new List<Span>();
        await foreach (var page in client.ReadTracesAsync(Range, new FetchFilter { TraceId = TestSignals.TraceId(2) }, limit: 1))
        {
            byTrace.AddRange(TestSignals.AllSpans(page.ResourceSpans));
        }
        // The integer attribute n matches the text "17".
        var byAttribute = new List<Span>();
        await foreach (var page in client.ReadTracesAsync(Range, new FetchFilter { Attributes = [TestSignals.Attr("n", "17")], SpanName = "span-17" }))
        {
            byAttribute.AddRange(TestSignals.AllSpans(page.ResourceSpans));
        }

        // A status code filter is present even at 0 (UNSET), which the spans sent here all are.
        var unset = new List<Span>();
        await foreach (var page in client.ReadTracesAsync(Range, new FetchFilter { StatusCode = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Unset }))
        {
            unset.AddRange(TestSignals.AllSpans(page.ResourceSpans));
        }
        var ok = new List<Span>();
        await foreach (var page in client.ReadTracesAsync(Range, new FetchFilter { StatusCode = OpenTelemetry.Proto.Trace.V1.Status.Types.StatusCode.Ok }))
        {
            ok.AddRange(TestSignals.AllSpans(page.ResourceSpans));
        }

        byTrace.Select(s => s.Name).Should().BeEquivalentTo("span-8", "span-9", "span-10", "span-11");
        byAttribute.Should().ContainSingle().Which.Name.Should().Be("span-17");
        unset.Should().HaveCount(25);
        ok.Should().BeEmpty();
    }

    [Test]
    public async Task Metric_and_log_filters()
    {
        var client = Client(OteleportWireFormat.Json);
        var points = new List<ResourceMetrics>();
        await foreach (var page in client.ReadMetricsAsync(Range, new FetchFilter { MetricName = "temperature", Attributes = [TestSignals.Attr("room", "r1")], ServiceName = "metrics-service" }))
        {
            points.AddRange(page.ResourceMetrics);
        }
        var logs = new List<LogRecord>();
        await foreach (var page in client.ReadLogsAsync(Range, new FetchFilter { BodyContains = "log-1", MinSeverity = SeverityNumber.Info }, limit: 2))
        {
            logs.AddRange(page.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords));
        }
        var none = new List<FetchLogsDataResponse>();
        await foreach (var page in client.ReadLogsAsync(Range, new FetchFilter { MinSeverity = SeverityNumber.Warn }))
        {
            none.Add(page);
        }

        var metric = points.Should().ContainSingle().Which.ScopeMetrics.Should().ContainSingle().Which.Metrics.Should().ContainSingle().Which;
        metric.Name.Should().Be("temperature");
        metric.Gauge.DataPoints.Should().ContainSingle().Which.AsDouble.Should().Be(22.5);
        logs.Select(l => l.Body.StringValue).Should().Equal("log-1", "log-10", "log-11");
        none.Should().ContainSingle().Which.ResourceLogs.Should().BeEmpty("a resource without a matching record is left out");
    }

    [Test]
    public void A_filter_that_does_not_apply_to_the_signal_is_refused_at_the_call()
    {
        var client = Client();

        FluentActions.Invoking(() => client.ReadLogsAsync(Range, new FetchFilter { SpanName = "x" }))
            .Should().Throw<ArgumentException>().WithMessage("FetchFilter.SpanName applies to traces only*");
        FluentActions.Invoking(() => client.ReadTracesAsync(Range, new FetchFilter { MetricName = "x" }))
            .Should().Throw<ArgumentException>().WithMessage("FetchFilter.MetricName applies to metrics only*");
        FluentActions.Invoking(() => client.ReadMetricsAsync(Range, new FetchFilter { TraceId = TestSignals.TraceId(1) }))
            .Should().Throw<ArgumentException>().WithMessage("FetchFilter.TraceId applies to traces and logs only*");
        FluentActions.Invoking(() => client.ReadTracesAsync(Range, new FetchFilter { MinSeverity = SeverityNumber.Error }))
            .Should().Throw<ArgumentException>().WithMessage("FetchFilter.MinSeverity applies to logs only*");
        FluentActions.Invoking(() => client.ReadLogsAsync(Range, new FetchFilter { TraceId = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }))
            .Should().Throw<ArgumentException>().WithMessage("*16 bytes*");
    }

    [TestCase(OteleportWireFormat.Protobuf)]
    [TestCase(OteleportWireFormat.Json)]
    public async Task GetTraceAsync_returns_every_span_of_the_trace(OteleportWireFormat format)
    {
        var client = Client(format);
        var id = TestSignals.TraceId(3);
        var hex = Convert.ToHexString(id.Span);

        var byHex = await client.GetTraceAsync(hex.ToLowerInvariant(), Range);
        var byBytes = await client.GetTraceAsync(id, Range);

        var expected = TestSignals.AllSpans(_spans.ResourceSpans).Where(s => s.TraceId == id).ToList();
        expected.Should().HaveCount(4);
        TestSignals.AllSpans(byHex.ResourceSpans).Select(s => s.Name).Should().BeEquivalentTo(expected.Select(s => s.Name));
        TestSignals.AllSpans(byHex.ResourceSpans).Should().OnlyContain(s => expected.Contains(s), "each span as it was sent");
        Records.Of(byBytes).Should().Equal(Records.Of(byHex));
    }

    [Test]
    public async Task GetTraceAsync_looks_back_over_the_servers_window_by_default()
    {
        var recent = TestSignals.Spans(4, DateTimeOffset.UtcNow.AddHours(-2), TimeSpan.FromMinutes(1), offset: 4_000);
        await _server.SendAsync(recent);
        var id = TestSignals.AllSpans(recent.ResourceSpans)[0].TraceId;
        var client = Client();

        var found = await client.GetTraceAsync(id);
        var old = await client.GetTraceAsync(TestSignals.TraceId(3));
        var onlyAnEnd = await client.GetTraceAsync(id, new OteleportTimeRange(0, OteleportTimeRange.ToUnixNano(DateTimeOffset.UtcNow.AddDays(-3))));

        Records.Of(found).Should().Equal(Records.Of(recent));
        old.ResourceSpans.Should().BeEmpty("the spans of 2024 are older than the last 24 hours");
        onlyAnEnd.ResourceSpans.Should().BeEmpty("the window ends three days ago");
    }

    [TestCase("5B8EFFF798038103D269B633813FC60")]
    [TestCase("5B8EFFF798038103D269B633813FC60CC")]
    [TestCase("5B8EFFF798038103D269B633813FC6XZ")]
    [TestCase("")]
    public void GetTraceAsync_refuses_an_id_that_is_not_32_hex_digits(string hex)
    {
        // Refused at the call, before any request.
        Action byHex = () => _ = Client().GetTraceAsync(hex);
        Action byBytes = () => _ = Client().GetTraceAsync(Google.Protobuf.ByteString.CopyFrom(new byte[8]));

        byHex.Should().Throw<ArgumentException>().WithMessage("*32 hex digits*");
        byBytes.Should().Throw<ArgumentException>().WithMessage("*16 bytes*");
    }

    [Test]
    public async Task GetTraceAsync_errors_are_typed_as_for_fetches()
    {
        var act = () => Client(key: "wrong").GetTraceAsync(TestSignals.TraceId(3));

        var error = (await act.Should().ThrowAsync<OteleportClientException>()).Which;
        error.HttpStatus.Should().Be(HttpStatusCode.Forbidden);
        error.RpcMessage.Should().Be("access key rejected");
        error.RequestUri.AbsolutePath.Should().Be("/api/traces/" + Convert.ToHexString(TestSignals.TraceId(3).Span));
    }

    [Test]
    public void Between_converts_to_unix_nanoseconds()
    {
        var range = OteleportTimeRange.Between(DateTimeOffset.UnixEpoch.AddSeconds(1), DateTimeOffset.UnixEpoch.AddSeconds(2));

        range.Should().Be(new OteleportTimeRange(1_000_000_000, 2_000_000_000));
        OteleportTimeRange.Between(DateTimeOffset.UnixEpoch.AddSeconds(1)).EndTimeUnixNano.Should().Be(0);
    }
}
