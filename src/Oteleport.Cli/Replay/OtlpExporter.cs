using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Signals;

namespace Oteleport.Cli.Replay;

/// <summary>What an OTLP receiver said about one export: records it rejected (partial success) and why.</summary>
internal readonly record struct ExportOutcome(long Rejected, string Message)
{
    public static readonly ExportOutcome Accepted = new(0, "");
}

/// <summary>Sends export requests of one signal to one OTLP endpoint, retrying what is worth retrying.</summary>
internal abstract class OtlpExporter : IDisposable
{
    protected OtlpExporter(SignalType signal, OtlpExportSettings settings, RetryPolicy retry)
    {
        Signal = signal;
        Settings = settings;
        Retry = retry;
    }

    public SignalType Signal { get; }
    public OtlpExportSettings Settings { get; }
    protected RetryPolicy Retry { get; }

    public static OtlpExporter Create(SignalType signal, OtlpExportSettings settings, RetryPolicy retry) =>
        settings.Protocol == OtlpProtocol.Grpc
            ? new GrpcOtlpExporter(signal, settings, retry)
            : new HttpOtlpExporter(signal, settings, retry);

    /// <summary>Exports an <c>Export{Trace,Metrics,Logs}ServiceRequest</c> of this exporter's signal.</summary>
    /// <exception cref="OtlpExportException">A permanent failure, or retries ran out.</exception>
    public Task<ExportOutcome> ExportAsync(IMessage request, CancellationToken cancellationToken) =>
        Retry.RunAsync(ct => SendOnceAsync(request, ct), cancellationToken);

    protected abstract Task<ExportOutcome> SendOnceAsync(IMessage request, CancellationToken cancellationToken);

    /// <summary>The partial success of an export response, if any.</summary>
    protected static ExportOutcome Outcome(IMessage? response) => response switch
    {
        ExportTraceServiceResponse { PartialSuccess: { } p } => new(p.RejectedSpans, p.ErrorMessage),
        ExportMetricsServiceResponse { PartialSuccess: { } p } => new(p.RejectedDataPoints, p.ErrorMessage),
        ExportLogsServiceResponse { PartialSuccess: { } p } => new(p.RejectedLogRecords, p.ErrorMessage),
        _ => ExportOutcome.Accepted,
    };

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
