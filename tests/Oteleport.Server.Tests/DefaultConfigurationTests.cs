using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Options;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Storage;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>
/// The server with no configuration at all: OTLP gRPC on 4317 (HTTP/2 only), OTLP/HTTP on 4318, the API on
/// 8080, all interfaces, stored in ./oteleport-data. The listeners are bound through
/// <see cref="RemappingTransport"/>, so the test neither needs those ports free nor disturbs whoever has them.
/// </summary>
[NonParallelizable] // changes the working directory, which ./oteleport-data is relative to
public sealed class DefaultConfigurationTests
{
    [Test]
    public async Task With_no_configuration_the_server_listens_on_4317_4318_8080_and_stores_in_oteleport_data()
    {
        using var workingDirectory = new TempFolder("e2e-default");
        var original = Environment.CurrentDirectory;
        var transport = new RemappingTransport();
        Environment.CurrentDirectory = workingDirectory.Path;
        try
        {
            await using var app = OteleportServer.Build([], builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Warning);
                builder.Services.RemoveAll<IConnectionListenerFactory>();
                builder.Services.AddSingleton<IConnectionListenerFactory>(transport);
            });
            var options = app.Services.GetRequiredService<IOptions<OteleportOptions>>().Value;
            options.Storage.Location.Should().Be("./oteleport-data");
            options.AccessKeys.Should().BeEmpty();
            app.Services.GetRequiredService<IObjectStore>().Should().BeOfType<FileSystemObjectStore>()
                .Which.RootPath.Should().Be(Path.Combine(workingDirectory.Path, "oteleport-data"));

            await app.StartAsync();

            transport.Bound.Keys.Should().BeEquivalentTo(new[]
            {
                new IPEndPoint(IPAddress.Any, 4317),
                new IPEndPoint(IPAddress.Any, 4318),
                new IPEndPoint(IPAddress.Any, 8080),
            });
            var grpcUrl = transport.UrlFor(4317);
            var otlpUrl = transport.UrlFor(4318);
            var apiUrl = transport.UrlFor(8080);
            using var http = new HttpClient();

            // 4317: gRPC (OTLP and the fetch API) over cleartext HTTP/2 only.
            using var channel = GrpcChannel.ForAddress(grpcUrl);
            var first = DateTimeOffset.UtcNow.AddSeconds(-10);
            await new TraceService.TraceServiceClient(channel).ExportAsync(new ExportTraceServiceRequest
            {
                ResourceSpans = { TestSignals.Spans(3, first, TimeSpan.FromSeconds(1)).ResourceSpans },
            });
            using (var http1 = await http.GetAsync(new Uri(grpcUrl, "/health")))
            {
                http1.StatusCode.Should().Be(HttpStatusCode.BadRequest, "4317 is HTTP/2 only");
            }

            // 4318: OTLP/HTTP over HTTP/1.1.
            using (var otlp = await http.PostAsync(new Uri(otlpUrl, "/v1/traces"), Wire.Protobuf.Encode(TestSignals.Spans(2, first, TimeSpan.FromSeconds(1), offset: 10)), Api.ProtobufType))
            {
                await Api.ExpectOkAsync(otlp);
                otlp.Version.Should().Be(HttpVersion.Version11);
            }

            // 8080: the REST API, which sees all five spans; its gRPC twin answers on 4317.
            var (start, end) = AroundNow();
            var request = new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end };
            FetchTracesDataResponse page;
            using (var api = await http.PostAsync(new Uri(apiUrl, "/api/traces/fetch"), Wire.Json.Encode(request), Api.JsonType))
            {
                page = Wire.Json.Decode<FetchTracesDataResponse>(await Api.ExpectOkAsync(api));
            }
            TestSignals.AllSpans(page.ResourceSpans).Should().HaveCount(5);
            (await new OterlportService.OterlportServiceClient(channel).FetchTracesDataAsync(request)).Should().Be(page);
            using (var wrongPort = await http.PostAsync(new Uri(apiUrl, "/v1/traces"), [], Api.ProtobufType))
            {
                wrongPort.StatusCode.Should().Be(HttpStatusCode.NotFound);
            }

            var data = Path.Combine(workingDirectory.Path, "oteleport-data");
            Directory.EnumerateFiles(Path.Combine(data, "traces"), "spans-*.json.gz", SearchOption.AllDirectories).Should().HaveCountGreaterThanOrEqualTo(2, "one object per export (and hour)");
            File.Exists(Path.Combine(data, ".oteleport-cursor-key")).Should().BeTrue();

            await app.StopAsync();
        }
        finally
        {
            Environment.CurrentDirectory = original;
        }
    }
}
