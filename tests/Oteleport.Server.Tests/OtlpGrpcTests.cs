using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Compression;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Metrics.V1;
using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>OTLP over gRPC with the generated clients: what the SDK cannot send (summaries), compression, empty requests.</summary>
public sealed class OtlpGrpcTests
{
    private TempFolder _folder = null!;
    private ServerInstance _server = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _folder = new TempFolder("e2e-otlp-grpc");
        _server = await ServerInstance.StartAsync(_folder.Path);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public async Task Every_metric_kind_with_a_summary_sent_as_raw_otlp_over_grpc_comes_back_equal()
    {
        // The SDK makes no summaries: this document is built by hand and sent with the generated client.
        var sent = TestSignals.AllMetricKinds(DateTimeOffset.UtcNow, points: 2);
        var serviceName = Unique("raw-metrics");
        sent.ResourceMetrics[0].Resource = TestSignals.Service(serviceName);
        sent.ResourceMetrics[0].SchemaUrl = "https://opentelemetry.io/schemas/1.26.0";
        var client = new MetricsService.MetricsServiceClient(_server.Channel);
        var answer = await client.ExportAsync(new ExportMetricsServiceRequest { ResourceMetrics = { sent.ResourceMetrics } });
        answer.PartialSuccess.Should().BeNull();

        var (start, end) = AroundNow();
        var request = new FetchMetricsDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = 10_000 };
        foreach (var wire in new[] { Wire.Json, Wire.Protobuf })
        {
            var fetched = await _server.FetchMetricsAsync(request, wire);
            var ours = fetched.ResourceMetrics.Where(r => r.Resource.ServiceName() == serviceName).ToList();
            ours.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics).Select(m => m.DataCase).Distinct()
                .Should().BeEquivalentTo(new[]
                {
                    Metric.DataOneofCase.Gauge, Metric.DataOneofCase.Sum, Metric.DataOneofCase.Histogram,
                    Metric.DataOneofCase.ExponentialHistogram, Metric.DataOneofCase.Summary,
                });
            FlattenPoints(ours).Should().BeEquivalentTo(FlattenPoints(sent.ResourceMetrics), "every point of the five kinds comes back as sent ({0})", wire);
        }
    }

    [Test]
    public async Task Gzip_compressed_grpc_messages_are_accepted()
    {
        var scope = Unique("grpc-gzip");
        var data = TestSignals.Spans(20, DateTimeOffset.UtcNow.AddSeconds(-1), TimeSpan.FromMilliseconds(1), services: 1);
        foreach (var s in data.ResourceSpans[0].ScopeSpans)
        {
            s.Scope.Name = scope;
        }
        using var channel = GrpcChannel.ForAddress(_server.GrpcUrl, new GrpcChannelOptions { CompressionProviders = [new GzipCompressionProvider(System.IO.Compression.CompressionLevel.Fastest)] });
        // Grpc.Net.Client compresses the request message when this header names the algorithm.
        var compressed = new Metadata { { "grpc-internal-encoding-request", "gzip" } };

        await new TraceService.TraceServiceClient(channel).ExportAsync(new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } }, compressed);

        var (start, end) = AroundNow();
        var fetched = await _server.FetchTracesAsync(new FetchTracesDataRequest { StartTimeUnixNano = start, EndTimeUnixNano = end });
        SpansOfScope(fetched.ResourceSpans, scope).Should().HaveCount(20);
    }

    [Test]
    public async Task Empty_export_requests_succeed()
    {
        (await new TraceService.TraceServiceClient(_server.Channel).ExportAsync(new ExportTraceServiceRequest())).PartialSuccess.Should().BeNull();
        (await new MetricsService.MetricsServiceClient(_server.Channel).ExportAsync(new ExportMetricsServiceRequest())).PartialSuccess.Should().BeNull();
        (await new LogsService.LogsServiceClient(_server.Channel).ExportAsync(new ExportLogsServiceRequest())).PartialSuccess.Should().BeNull();
    }
}
