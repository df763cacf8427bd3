using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// An authenticated session over every way in, with right, wrong and other keys, logged at Trace level in
/// every category (Kestrel, hosting, routing, gRPC, Oteleport): no key appears anywhere in the log.
/// </summary>
public sealed class SecretsInLogsTests
{
    private const string RightKey = "k3y-right-7f1c2e9a5b";
    private const string OtherKey = "k3y-other-0d4e8b6f2a";
    private const string WrongKey = "k3y-wrong-93ac51e7d0";

    [Test]
    public async Task No_access_key_reaches_the_log_of_an_authenticated_session()
    {
        using var folder = new TempFolder("e2e-secrets");
        var capture = new CapturingLoggerProvider();
        var server = await ServerInstance.StartAsync(folder.Path,
            ServerInstance.StandardArgs(folder.Path,
                $"--Oteleport:AccessKeys:0:SecretKey={RightKey}",
                "--Oteleport:AccessKeys:1:KeyId=ci",
                $"--Oteleport:AccessKeys:1:SecretKey={OtherKey}"),
            builder =>
            {
                builder.Logging.AddProvider(capture);
                // This provider alone sees everything, whatever the configured levels say.
                builder.Logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Trace);
            });
        try
        {
            await RunSessionAsync(server);
        }
        finally
        {
            await server.DisposeAsync();
        }

        capture.Entries.Where(e => e.Contains(RightKey, StringComparison.Ordinal) || e.Contains(OtherKey, StringComparison.Ordinal)
                                   || e.Contains(WrongKey, StringComparison.Ordinal))
            .Should().BeEmpty("no access key, right or wrong, is logged");
        var log = capture.AllText();
        // The capture really saw the session, at the levels where headers would show if anything logged them.
        log.Should().Contain("Access denied").And.Contain("Authenticated with access key ci")
            .And.Contain("/v1/traces").And.Contain("/api/traces/fetch").And.Contain("/opentelemetry.proto.collector.trace.v1.TraceService/Export");
        capture.Entries.Should().Contain(e => e.StartsWith("Trace Microsoft.AspNetCore.Server.Kestrel", StringComparison.Ordinal));
        capture.Entries.Should().Contain(e => e.StartsWith("Debug Microsoft.AspNetCore.Routing", StringComparison.Ordinal));
        capture.Entries.Should().Contain(e => e.StartsWith("Trace Grpc.AspNetCore.Server", StringComparison.Ordinal)
                                             || e.StartsWith("Debug Grpc.AspNetCore.Server", StringComparison.Ordinal));
    }

    private static async Task RunSessionAsync(ServerInstance server)
    {
        var (start, end) = AroundNow();
        var traces = TestSignals.Spans(3, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1));
        var logs = TestSignals.Logs(2, DateTimeOffset.UtcNow, TimeSpan.FromMilliseconds(1));
        var fetch = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end };
        KeyValuePair<string, string>[] Header(string key) => [new("Oteleport-Access-Key", key)];
        Metadata Grpc(string key) => new() { { "oteleport-access-key", key } };

        // OTLP/HTTP and the REST API: right, other, wrong and no key, protobuf and JSON.
        foreach (var (key, expected) in new[] { (RightKey, HttpStatusCode.OK), (OtherKey, HttpStatusCode.OK), (WrongKey, HttpStatusCode.Forbidden) })
        {
            foreach (var wire in new[] { Wire.Protobuf, Wire.Json })
            {
                using var export = await server.Http.PostAsync(server.Otlp("/v1/traces"), wire.Encode(traces), wire.MediaType(), headers: Header(key));
                export.StatusCode.Should().Be(expected);
                using var api = await server.Http.PostAsync(server.Api("/api/traces/fetch"), wire.Encode(fetch), wire.MediaType(), headers: Header(key));
                api.StatusCode.Should().Be(expected);
            }
            using var lookup = new HttpRequestMessage(HttpMethod.Get, server.Api($"/api/traces/{Convert.ToHexString(TestSignals.TraceId(0).ToByteArray())}"));
            lookup.Headers.Add("Oteleport-Access-Key", key);
            (await server.Http.SendAsync(lookup)).StatusCode.Should().Be(expected);
        }
        using (var none = await server.Http.PostAsync(server.Otlp("/v1/logs"), Wire.Json.Encode(logs), Api.JsonType))
        {
            none.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        // OTLP over gRPC and the fetch API over gRPC.
        var traceClient = new TraceService.TraceServiceClient(server.Channel);
        var logsClient = new LogsService.LogsServiceClient(server.Channel);
        var fetchClient = new OterlportService.OterlportServiceClient(server.Channel);
        await traceClient.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { traces.ResourceSpans } }, Grpc(RightKey));
        await logsClient.ExportAsync(new ExportLogsServiceRequest { ResourceLogs = { logs.ResourceLogs } }, Grpc(OtherKey));
        await fetchClient.FetchTracesDataAsync(fetch, Grpc(RightKey));
        var wrong = async () => await traceClient.ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { traces.ResourceSpans } }, Grpc(WrongKey));
        (await wrong.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.PermissionDenied);
        var wrongFetch = async () => await fetchClient.FetchTracesDataAsync(fetch, Grpc(WrongKey));
        (await wrongFetch.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.PermissionDenied);
        var noKey = async () => await logsClient.ExportAsync(new ExportLogsServiceRequest { ResourceLogs = { logs.ResourceLogs } });
        (await noKey.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unauthenticated);
    }
}
