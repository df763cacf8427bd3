using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Query;

namespace Oteleport.Storage;

/// <summary>
/// Signal-level storage: append received signals, fetch them back page by page. One implementation
/// over <see cref="IObjectStore"/> holds the bucket layout, partitioning, encoding and paging.
/// </summary>
public interface ISignalStore
{
    /// <summary>Stores the spans; returns once every object holding them is stored.</summary>
    /// <exception cref="StorageUnavailableException">The store failed; the sender should retry.</exception>
    Task AppendTracesAsync(TracesData data, CancellationToken cancellationToken = default);

    /// <summary>Stores the data points; returns once every object holding them is stored.</summary>
    /// <exception cref="StorageUnavailableException">The store failed; the sender should retry.</exception>
    Task AppendMetricsAsync(MetricsData data, CancellationToken cancellationToken = default);

    /// <summary>Stores the log records; returns once every object holding them is stored.</summary>
    /// <exception cref="StorageUnavailableException">The store failed; the sender should retry.</exception>
    Task AppendLogsAsync(LogsData data, CancellationToken cancellationToken = default);

    /// <summary>One page of spans.</summary>
    /// <exception cref="FetchRequestException">The query is invalid (range, limit, cursor).</exception>
    /// <exception cref="StorageUnavailableException">The store failed.</exception>
    Task<FetchTracesDataResponse> FetchTracesAsync(FetchQuery query, CancellationToken cancellationToken = default);

    /// <summary>One page of data points.</summary>
    /// <exception cref="FetchRequestException">The query is invalid (range, limit, cursor).</exception>
    /// <exception cref="StorageUnavailableException">The store failed.</exception>
    Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchQuery query, CancellationToken cancellationToken = default);

    /// <summary>One page of log records.</summary>
    /// <exception cref="FetchRequestException">The query is invalid (range, limit, cursor).</exception>
    /// <exception cref="StorageUnavailableException">The store failed.</exception>
    Task<FetchLogsDataResponse> FetchLogsAsync(FetchQuery query, CancellationToken cancellationToken = default);
}
