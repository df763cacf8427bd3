using Grpc.Core;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore.Api;

/// <summary>
/// The fetch API over gRPC, <c>oteleport.proto.v1.OterlportService</c> as the Go server names it; its methods are
/// bound by <see cref="Otlp.OteleportGrpcMethods"/>.
/// </summary>
internal sealed class FetchGrpcService(ISignalStore store)
{
    public Task<FetchTracesDataResponse> FetchTracesData(FetchTracesDataRequest request, ServerCallContext context) =>
        RunAsync(() => store.FetchTracesAsync(FetchQueries.From(request), context.CancellationToken));

    public Task<FetchMetricsDataResponse> FetchMetricsData(FetchMetricsDataRequest request, ServerCallContext context) =>
        RunAsync(() => store.FetchMetricsAsync(FetchQueries.From(request), context.CancellationToken));

    public Task<FetchLogsDataResponse> FetchLogsData(FetchLogsDataRequest request, ServerCallContext context) =>
        RunAsync(() => store.FetchLogsAsync(FetchQueries.From(request), context.CancellationToken));

    public Task<FetchTracesDataResponse> GetTrace(GetTraceRequest request, ServerCallContext context) =>
        RunAsync(() => store.GetTraceAsync(request.TraceId, request.StartTimeUnixNano, request.EndTimeUnixNano, context.CancellationToken));

    private static async Task<T> RunAsync<T>(Func<Task<T>> fetch)
    {
        try
        {
            return await fetch().ConfigureAwait(false);
        }
        catch (FetchRequestException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
        catch (StorageUnavailableException)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "storage is unavailable, retry later"));
        }
    }
}

/// <summary>The wire requests as the store's query model.</summary>
internal static class FetchQueries
{
    public static FetchQuery From(FetchTracesDataRequest r) => new()
    {
        StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit,
        Filter = new FetchFilter
        {
            ServiceName = r.ServiceName, ResourceAttributes = r.ResourceAttributes, Attributes = r.Attributes,
            SpanName = r.SpanName, TraceId = r.TraceId,
            SpanKind = r.HasSpanKind ? r.SpanKind : null, StatusCode = r.HasStatusCode ? r.StatusCode : null,
        },
    };

    public static FetchQuery From(FetchMetricsDataRequest r) => new()
    {
        StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit,
        Filter = new FetchFilter
        {
            ServiceName = r.ServiceName, ResourceAttributes = r.ResourceAttributes, Attributes = r.Attributes, MetricName = r.MetricName,
        },
    };

    public static FetchQuery From(FetchLogsDataRequest r) => new()
    {
        StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit,
        Filter = new FetchFilter
        {
            ServiceName = r.ServiceName, ResourceAttributes = r.ResourceAttributes, Attributes = r.Attributes,
            TraceId = r.TraceId, MinSeverity = r.MinSeverityNumber, BodyContains = r.BodyContains,
        },
    };
}
