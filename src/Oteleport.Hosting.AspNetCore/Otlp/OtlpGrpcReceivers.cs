using Grpc.Core;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore.Otlp;

/// <summary>Maps a storage failure to UNAVAILABLE, which OTLP senders retry.</summary>
internal static class GrpcStorageCall
{
    public static async Task<T> RunAsync<T>(Func<Task> store, T response)
    {
        try
        {
            await store().ConfigureAwait(false);
            return response;
        }
        catch (StorageUnavailableException)
        {
            throw new RpcException(new Grpc.Core.Status(StatusCode.Unavailable, "storage is unavailable, retry later"));
        }
    }
}

internal sealed class TraceReceiver(ISignalStore store) : TraceService.TraceServiceBase
{
    public override Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendTracesAsync(new TracesData { ResourceSpans = { request.ResourceSpans } }, context.CancellationToken),
            new ExportTraceServiceResponse());
}

internal sealed class MetricsReceiver(ISignalStore store) : MetricsService.MetricsServiceBase
{
    public override Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendMetricsAsync(new MetricsData { ResourceMetrics = { request.ResourceMetrics } }, context.CancellationToken),
            new ExportMetricsServiceResponse());
}

internal sealed class LogsReceiver(ISignalStore store) : LogsService.LogsServiceBase
{
    public override Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendLogsAsync(new LogsData { ResourceLogs = { request.ResourceLogs } }, context.CancellationToken),
            new ExportLogsServiceResponse());
}
