using Grpc.Core;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Storage;

namespace Oteleport.Hosting.AspNetCore.Api;

/// <summary>The fetch API over gRPC, <c>oteleport.proto.v1.OterlportService</c> as the Go server names it.</summary>
internal sealed class FetchGrpcService(ISignalStore store) : OterlportService.OterlportServiceBase
{
    public override Task<FetchTracesDataResponse> FetchTracesData(FetchTracesDataRequest request, ServerCallContext context) =>
        RunAsync(() => WireFetch.TracesAsync(store, FetchQueries.From(request), context.CancellationToken));

    public override Task<FetchMetricsDataResponse> FetchMetricsData(FetchMetricsDataRequest request, ServerCallContext context) =>
        RunAsync(() => WireFetch.MetricsAsync(store, FetchQueries.From(request), context.CancellationToken));

    public override Task<FetchLogsDataResponse> FetchLogsData(FetchLogsDataRequest request, ServerCallContext context) =>
        RunAsync(() => WireFetch.LogsAsync(store, FetchQueries.From(request), context.CancellationToken));

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
    public static FetchQuery From(FetchTracesDataRequest r) => new() { StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit };
    public static FetchQuery From(FetchMetricsDataRequest r) => new() { StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit };
    public static FetchQuery From(FetchLogsDataRequest r) => new() { StartTimeUnixNano = r.StartTimeUnixNano, EndTimeUnixNano = r.EndTimeUnixNano, Cursor = r.Cursor, Limit = r.Limit };
}

/// <summary>
/// Fetches for the built-in endpoints, which only serialize the page: the signal store then skips the
/// deep copy that protects its decoded-object cache from callers that change pages.
/// </summary>
internal static class WireFetch
{
    public static Task<FetchTracesDataResponse> TracesAsync(ISignalStore store, FetchQuery query, CancellationToken cancellationToken) =>
        store is SignalStore signals ? signals.FetchTracesAsync(query, copy: false, cancellationToken) : store.FetchTracesAsync(query, cancellationToken);

    public static Task<FetchMetricsDataResponse> MetricsAsync(ISignalStore store, FetchQuery query, CancellationToken cancellationToken) =>
        store is SignalStore signals ? signals.FetchMetricsAsync(query, copy: false, cancellationToken) : store.FetchMetricsAsync(query, cancellationToken);

    public static Task<FetchLogsDataResponse> LogsAsync(ISignalStore store, FetchQuery query, CancellationToken cancellationToken) =>
        store is SignalStore signals ? signals.FetchLogsAsync(query, copy: false, cancellationToken) : store.FetchLogsAsync(query, cancellationToken);
}
