using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Storage;

namespace Oteleport.Server;

/// <summary>
/// A benchmark aid, never a way to run in production: the receivers decode each request as usual and
/// this store drops it at once (nothing is encoded, batched or stored; fetches answer empty pages). It
/// gives the receiver's own ceiling, against which the real store's ingest rate is compared in one run.
/// Registered only when <c>OteleportBenchmark:DiscardWrites</c> is <c>true</c> (outside the Oteleport section,
/// whose keys are checked against the options: this is a benchmark aid, not an option).
/// </summary>
internal sealed class DiscardingSignalStore : ISignalStore
{
    public const string SettingKey = "OteleportBenchmark:DiscardWrites";

    public Task AppendTracesAsync(TracesData data, CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task AppendMetricsAsync(MetricsData data, CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task AppendLogsAsync(LogsData data, CancellationToken cancellationToken = default) => Task.CompletedTask;
    public Task<FetchTracesDataResponse> FetchTracesAsync(FetchQuery query, CancellationToken cancellationToken = default) => Task.FromResult(new FetchTracesDataResponse());
    public Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchQuery query, CancellationToken cancellationToken = default) => Task.FromResult(new FetchMetricsDataResponse());
    public Task<FetchLogsDataResponse> FetchLogsAsync(FetchQuery query, CancellationToken cancellationToken = default) => Task.FromResult(new FetchLogsDataResponse());
}
