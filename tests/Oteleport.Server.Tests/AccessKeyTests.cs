using System.Diagnostics;
using System.Net;
using Grpc.Core;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>Access keys on every OTLP and API request, over gRPC and HTTP; health stays open.</summary>
[TestFixture("Oteleport-Access-Key")]
[TestFixture("X-Telemetry-Key")]
public sealed class AccessKeyTests(string headerName)
{
    private const string RightKey = "right-key-0123456789";
    private const string OtherKey = "second-key-abcdef";
    private const string WrongKey = "wrong-key";
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    private bool CustomHeader => headerName != "Oteleport-Access-Key";

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-keys");
        var args = new List<string>
        {
            $"--Oteleport:AccessKeys:0:SecretKey={RightKey}",
            "--Oteleport:AccessKeys:1:KeyId=ci",
            $"--Oteleport:AccessKeys:1:SecretKey={OtherKey}",
        };
        if (CustomHeader)
        {
            args.Add($"--Oteleport:AccessKeyHeader={headerName}");
        }
        _server = await ServerInstance.StartAsync(_folder.Path, [.. args]);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private Metadata KeyMetadata(string key) => new() { { headerName.ToLowerInvariant(), key } };

    private KeyValuePair<string, string>[] KeyHeader(string key) => [new(headerName, key)];

    private static ExportTraceServiceRequest TraceRequest(string scope)
    {
        var data = TestSignals.Spans(2, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1), services: 1);
        foreach (var s in data.ResourceSpans[0].ScopeSpans)
        {
            s.Scope.Name = scope;
        }
        return new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } };
    }

    private async Task<int> StoredSpansOfScope(string scope)
    {
        var (start, end) = AroundNow();
        var page = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 }, Wire.Json, KeyHeader(RightKey));
        return SpansOfScope(page.ResourceSpans, scope).Count;
    }

    [Test]
    public async Task Otlp_over_grpc_without_a_key_is_unauthenticated_and_with_a_wrong_key_permission_denied()
    {
        var traces = new TraceService.TraceServiceClient(_server.Channel);
        var metrics = new MetricsService.MetricsServiceClient(_server.Channel);
        var logs = new LogsService.LogsServiceClient(_server.Channel);
        var scope = Unique("grpc-keys");

        Func<Metadata?, Task>[] calls =
        [
            async headers => await traces.ExportAsync(TraceRequest(scope), headers),
            async headers => await metrics.ExportAsync(new ExportMetricsServiceRequest { ResourceMetrics = { TestSignals.AllMetricKinds(DateTimeOffset.UtcNow).ResourceMetrics } }, headers),
            async headers => await logs.ExportAsync(new ExportLogsServiceRequest { ResourceLogs = { TestSignals.Logs(1, DateTimeOffset.UtcNow, TimeSpan.Zero).ResourceLogs } }, headers),
        ];
        foreach (var call in calls)
        {
            (await call.Invoking(c => c(null)).Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
            (await call.Invoking(c => c(KeyMetadata(WrongKey))).Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.PermissionDenied);
            (await call.Invoking(c => c(new Metadata { { "oteleport-access-key-not", RightKey } })).Should().ThrowAsync<RpcException>())
                .Which.StatusCode.Should().Be(StatusCode.Unauthenticated, "the key counts only under its header name");
        }
        (await StoredSpansOfScope(scope)).Should().Be(0, "nothing rejected was stored");

        foreach (var call in calls)
        {
            await call(KeyMetadata(RightKey));
            await call(KeyMetadata(OtherKey));
        }
        (await StoredSpansOfScope(scope)).Should().Be(4);
    }

    [Test]
    public async Task The_grpc_fetch_api_needs_the_key()
    {
        var client = new OterlportService.OterlportServiceClient(_server.Channel);
        var (start, end) = AroundNow();
        var request = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end };

        (await client.Invoking(c => c.FetchTracesDataAsync(request).ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
        (await client.Invoking(c => c.FetchTracesDataAsync(request, KeyMetadata(WrongKey)).ResponseAsync).Should().ThrowAsync<RpcException>())
            .Which.StatusCode.Should().Be(StatusCode.PermissionDenied);
        await client.FetchTracesDataAsync(request, KeyMetadata(RightKey));
    }

    [TestCase(OtlpExportProtocol.Grpc)]
    [TestCase(OtlpExportProtocol.HttpProtobuf)]
    public async Task The_sdk_exporter_sends_the_key_from_its_headers_option(OtlpExportProtocol protocol)
    {
        var scope = Unique("sdk-keys");
        using var listener = Senders.SampleAll(scope);
        using var source = new ActivitySource(scope);
        var activity = source.StartActivity("keyed")!;
        activity.Stop();

        using var events = new ExporterEvents();
        var authority = protocol == OtlpExportProtocol.Grpc ? _server.GrpcUrl.Authority : _server.OtlpHttpUrl.Authority;
        var (unauthenticated, denied) = protocol == OtlpExportProtocol.Grpc
            ? ("StatusCode=\"Unauthenticated\"", "StatusCode=\"PermissionDenied\"")
            : ("401 (Unauthorized)", "403 (Forbidden)");

        Export(activity, protocol, headers: null).Should().Be(ExportResult.Failure);
        // The exporter reports why through its EventSource, synchronously within Export.
        events.For(authority).Should().ContainSingle().Which.Should().Contain(unauthenticated);
        events.Messages.Clear();
        Export(activity, protocol, headers: $"{headerName}={WrongKey}").Should().Be(ExportResult.Failure);
        events.For(authority).Should().ContainSingle().Which.Should().Contain(denied);
        (await StoredSpansOfScope(scope)).Should().Be(0);

        Export(activity, protocol, headers: $"{headerName}={RightKey}").Should().Be(ExportResult.Success);
        (await StoredSpansOfScope(scope)).Should().Be(1);
    }

    private ExportResult Export(Activity activity, OtlpExportProtocol protocol, string? headers)
    {
        var options = new OtlpExporterOptions();
        options.Target(_server, protocol, "/v1/traces", headers);
        using var exporter = new OtlpTraceExporter(options);
        return exporter.Export(new Batch<Activity>([activity], 1));
    }

    [TestCase(Wire.Protobuf)]
    [TestCase(Wire.Json)]
    public async Task Otlp_over_http_is_401_without_a_key_and_403_with_a_wrong_one(Wire wire)
    {
        var body = wire.Encode(TestSignals.Logs(1, DateTimeOffset.UtcNow, TimeSpan.Zero));

        using var missing = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), body, wire.MediaType());
        using var wrong = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), body, wire.MediaType(), headers: KeyHeader(WrongKey));
        using var right = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), body, wire.MediaType(), headers: KeyHeader(RightKey));

        missing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var missingStatus = await ReadStatusAsync(missing, wire);
        missingStatus.Code.Should().Be((int)StatusCode.Unauthenticated);
        missingStatus.Message.Should().Contain(headerName);
        wrong.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var wrongStatus = await ReadStatusAsync(wrong, wire);
        wrongStatus.Code.Should().Be((int)StatusCode.PermissionDenied);
        wrongStatus.Message.Should().NotContain(WrongKey, "a key is never echoed");
        await Api.ExpectOkAsync(right);
    }

    [TestCase("/api/traces/fetch")]
    [TestCase("/api/metrics/fetch")]
    [TestCase("/api/logs/fetch")]
    public async Task The_rest_api_is_401_without_a_key_and_403_with_a_wrong_one(string path)
    {
        var (start, end) = AroundNow();
        var body = Wire.Json.Encode(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });

        using var missing = await _server.Http.PostAsync(_server.Api(path), body, Api.JsonType);
        using var wrong = await _server.Http.PostAsync(_server.Api(path), body, Api.JsonType, headers: KeyHeader(WrongKey));
        using var right = await _server.Http.PostAsync(_server.Api(path), body, Api.JsonType, headers: KeyHeader(OtherKey));

        missing.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Api.ReadJsonStatusAsync(missing)).Code.Should().Be((int)StatusCode.Unauthenticated);
        wrong.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await Api.ReadJsonStatusAsync(wrong)).Code.Should().Be((int)StatusCode.PermissionDenied);
        await Api.ExpectOkAsync(right);
    }

    [Test]
    public async Task A_key_under_another_header_name_is_no_key()
    {
        var otherName = CustomHeader ? "Oteleport-Access-Key" : "X-Telemetry-Key";

        using var response = await _server.Http.PostAsync(_server.Otlp("/v1/logs"), Wire.Protobuf.Encode(TestSignals.Logs(1, DateTimeOffset.UtcNow, TimeSpan.Zero)),
            Api.ProtobufType, headers: [new(otherName, RightKey)]);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Health_needs_no_key()
    {
        using var api = await _server.Http.GetAsync(_server.Api("/health"));
        using var otlp = await _server.Http.GetAsync(_server.Otlp("/health"));

        await Api.ExpectOkAsync(api);
        await Api.ExpectOkAsync(otlp);
    }

    private static async Task<Oteleport.Proto.Rpc.Status> ReadStatusAsync(HttpResponseMessage response, Wire wire)
    {
        if (wire == Wire.Json)
        {
            return await Api.ReadJsonStatusAsync(response);
        }
        response.Content.Headers.ContentType!.MediaType.Should().Be(Api.ProtobufType);
        return Oteleport.Proto.Rpc.Status.Parser.ParseFrom(await response.Content.ReadAsByteArrayAsync());
    }
}
