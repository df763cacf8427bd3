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

/// <summary>OTLP TraceService; its method is bound by <see cref="OteleportGrpcMethods"/>.</summary>
internal sealed class TraceReceiver(ISignalStore store)
{
    public Task<ExportTraceServiceResponse> Export(ExportTraceServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendTracesAsync(new TracesData { ResourceSpans = { request.ResourceSpans } }, context.CancellationToken),
            new ExportTraceServiceResponse());
}

/// <summary>OTLP MetricsService; its method is bound by <see cref="OteleportGrpcMethods"/>.</summary>
internal sealed class MetricsReceiver(ISignalStore store)
{
    public Task<ExportMetricsServiceResponse> Export(ExportMetricsServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendMetricsAsync(new MetricsData { ResourceMetrics = { request.ResourceMetrics } }, context.CancellationToken),
            new ExportMetricsServiceResponse());
}

/// <summary>OTLP LogsService; its method is bound by <see cref="OteleportGrpcMethods"/>.</summary>
internal sealed class LogsReceiver(ISignalStore store)
{
    public Task<ExportLogsServiceResponse> Export(ExportLogsServiceRequest request, ServerCallContext context) =>
        GrpcStorageCall.RunAsync(
            () => store.AppendLogsAsync(new LogsData { ResourceLogs = { request.ResourceLogs } }, context.CancellationToken),
            new ExportLogsServiceResponse());
}
