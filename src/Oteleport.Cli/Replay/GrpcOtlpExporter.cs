using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Signals;
using RpcStatus = Oteleport.Proto.Rpc.Status;

namespace Oteleport.Cli.Replay;

/// <summary>OTLP over gRPC with the generated collector clients; gzip through gRPC's own message compression.</summary>
internal sealed class GrpcOtlpExporter : OtlpExporter
{
    // Grpc.Net.Client compresses a call's messages with the algorithm this metadata entry names.
    private const string RequestCompressionKey = "grpc-internal-encoding-request";

    private readonly GrpcChannel _channel;

    public GrpcOtlpExporter(SignalType signal, OtlpExportSettings settings, RetryPolicy retry)
        : base(signal, settings, retry)
    {
        _channel = GrpcChannel.ForAddress(settings.Endpoint, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { ConnectTimeout = settings.Timeout, EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
            // Ctrl-C is an OperationCanceledException everywhere in the run, not an RpcException here.
            ThrowOperationCanceledOnCancellation = true,
        });
    }

    protected override async Task<ExportOutcome> SendOnceAsync(IMessage request, CancellationToken cancellationToken)
    {
        var metadata = new Metadata();
        foreach (var (name, value) in Settings.Headers)
        {
            metadata.Add(name.ToLowerInvariant(), value);
        }
        if (Settings.Gzip)
        {
            metadata.Add(RequestCompressionKey, "gzip");
        }
        var options = new CallOptions(metadata, Retry.Time.GetUtcNow().UtcDateTime + Settings.Timeout, cancellationToken);
        try
        {
            IMessage response = request switch
            {
                ExportTraceServiceRequest traces => await new TraceService.TraceServiceClient(_channel).ExportAsync(traces, options).ConfigureAwait(false),
                ExportMetricsServiceRequest metrics => await new MetricsService.MetricsServiceClient(_channel).ExportAsync(metrics, options).ConfigureAwait(false),
                ExportLogsServiceRequest logs => await new LogsService.LogsServiceClient(_channel).ExportAsync(logs, options).ConfigureAwait(false),
                _ => throw new ArgumentException($"not an OTLP export request: {request.Descriptor.FullName}", nameof(request)),
            };
            return Outcome(response);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var reason = $"{ex.StatusCode}{(ex.Status.Detail.Length > 0 ? ": " + ex.Status.Detail : "")}";
            if (ex.Status.DebugException is { } cause)
            {
                // "Error connecting to subchannel." says less than the socket error beneath it.
                while (cause.InnerException is not null)
                {
                    cause = cause.InnerException;
                }
                reason += $" ({cause.Message.TrimEnd('.')})";
            }
            // The OTLP specification's retryable codes; RESOURCE_EXHAUSTED too, as the server may be shedding load.
            if (ex.StatusCode is StatusCode.Unavailable or StatusCode.ResourceExhausted or StatusCode.DeadlineExceeded
                or StatusCode.Aborted or StatusCode.OutOfRange or StatusCode.Cancelled or StatusCode.DataLoss)
            {
                throw new RetryableExportException(reason, RetryDelay(ex.Trailers), ex);
            }
            throw new OtlpExportException(reason, ex);
        }
    }

    /// <summary>The <c>google.rpc.RetryInfo</c> delay in a <c>grpc-status-details-bin</c> trailer, if the server sent one.</summary>
    internal static TimeSpan? RetryDelay(Metadata trailers)
    {
        var details = trailers.GetValueBytes("grpc-status-details-bin");
        if (details is null)
        {
            return null;
        }
        try
        {
            foreach (var any in RpcStatus.Parser.ParseFrom(details).Details)
            {
                if (!any.TypeUrl.EndsWith("/google.rpc.RetryInfo", StringComparison.Ordinal))
                {
                    continue;
                }
                // RetryInfo { google.protobuf.Duration retry_delay = 1; }
                var input = new CodedInputStream(any.Value.ToByteArray());
                uint tag;
                while ((tag = input.ReadTag()) != 0)
                {
                    if (tag == 10)
                    {
                        var duration = new Google.Protobuf.WellKnownTypes.Duration();
                        input.ReadMessage(duration);
                        return duration.ToTimeSpan();
                    }
                    input.SkipLastField();
                }
            }
        }
        catch (InvalidProtocolBufferException)
        {
            // unreadable details: back off as usual
        }
        return null;
    }

    public override void Dispose()
    {
        _channel.Dispose();
        base.Dispose();
    }
}
