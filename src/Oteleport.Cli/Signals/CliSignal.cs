using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Logs.V1;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Client;
using Oteleport.Query;
using Oteleport.Signals;

namespace Oteleport.Cli.Signals;

/// <summary>A page of records and where the next one starts.</summary>
internal readonly record struct SignalPage<TData>(TData Data, bool HasMore, string NextCursor);

/// <summary>What the CLI does differently per signal: fetching, splitting into records, moving in time, exporting.</summary>
internal abstract class CliSignal<TData> where TData : IMessage<TData>, new()
{
    public abstract SignalType Type { get; }

    /// <summary>The command name: traces, metrics or logs.</summary>
    public abstract string Name { get; }

    /// <summary>What a record is called in messages: spans, data points, log records.</summary>
    public abstract string RecordNoun { get; }

    protected abstract ISignalShape<TData> Shape { get; }

    /// <summary>One page of a range under the filters, as a document, with where the next one starts.</summary>
    public abstract Task<SignalPage<TData>> FetchPageAsync(OteleportClient client, OteleportTimeRange range, long limit, string cursor, FetchFilter filter, CancellationToken cancellationToken);

    /// <summary>The records of a document in order, each with its resource, scope and (for metrics) metric, and its time.</summary>
    public void Collect(TData data, List<SignalRecord> records) => Shape.Collect(data, records);

    /// <summary>A document of the given records, grouped by their containers as the server groups them.</summary>
    public TData Build(IEnumerable<SignalRecord> records) => Shape.Build(records);

    /// <summary>The one resource group of a single-record document (a JSON line of <c>--output jsonl</c>).</summary>
    public abstract IMessage SingleResource(TData singleRecordDocument);

    /// <summary>The OTLP export request carrying a document.</summary>
    public abstract IMessage ExportRequest(TData data);

    /// <summary>Moves every timestamp of the document: spans (start, end, events), data points (start, time, exemplars), log records (time, observed time).</summary>
    public abstract void Shift(TData data, TimeShifter shifter);
}

internal sealed class TracesSignal : CliSignal<TracesData>
{
    public static readonly TracesSignal Instance = new();

    public override SignalType Type => SignalType.Traces;
    public override string Name => "traces";
    public override string RecordNoun => "spans";
    protected override ISignalShape<TracesData> Shape => TraceShape.Instance;

    public override async Task<SignalPage<TracesData>> FetchPageAsync(OteleportClient client, OteleportTimeRange range, long limit, string cursor, FetchFilter filter, CancellationToken cancellationToken)
    {
        var request = FetchRequests.Traces(range, limit, cursor, filter);
        var page = await client.FetchTracesAsync(request, cancellationToken).ConfigureAwait(false);
        return new(new TracesData { ResourceSpans = { page.ResourceSpans } }, page.HasMore, page.NextCursor);
    }

    public override IMessage SingleResource(TracesData data) => data.ResourceSpans[0];
    public override IMessage ExportRequest(TracesData data) => new ExportTraceServiceRequest { ResourceSpans = { data.ResourceSpans } };

    public override void Shift(TracesData data, TimeShifter shifter)
    {
        foreach (var span in data.ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans))
        {
            span.StartTimeUnixNano = shifter.Shift(span.StartTimeUnixNano);
            span.EndTimeUnixNano = shifter.Shift(span.EndTimeUnixNano);
            foreach (var e in span.Events)
            {
                e.TimeUnixNano = shifter.Shift(e.TimeUnixNano);
            }
        }
    }
}

/// <summary>
/// One trace by its id (the filter's trace id) through <c>GET /api/traces/{traceId}</c>: a single page. Traces
/// in all else, so that printing, replay and time shift behave as for <c>oteleport traces</c>.
/// </summary>
internal sealed class TraceLookupSignal : CliSignal<TracesData>
{
    public static readonly TraceLookupSignal Instance = new();

    public override SignalType Type => SignalType.Traces;
    public override string Name => "traces";
    public override string RecordNoun => "spans";
    protected override ISignalShape<TracesData> Shape => TraceShape.Instance;

    public override async Task<SignalPage<TracesData>> FetchPageAsync(OteleportClient client, OteleportTimeRange range, long limit, string cursor, FetchFilter filter, CancellationToken cancellationToken)
    {
        var traceId = filter.TraceId ?? throw new InvalidOperationException("a trace lookup needs a trace id");
        var trace = await client.GetTraceAsync(traceId, range, cancellationToken).ConfigureAwait(false);
        return new(trace, HasMore: false, NextCursor: "");
    }

    public override IMessage SingleResource(TracesData data) => TracesSignal.Instance.SingleResource(data);
    public override IMessage ExportRequest(TracesData data) => TracesSignal.Instance.ExportRequest(data);
    public override void Shift(TracesData data, TimeShifter shifter) => TracesSignal.Instance.Shift(data, shifter);
}

internal sealed class MetricsSignal : CliSignal<MetricsData>
{
    public static readonly MetricsSignal Instance = new();

    public override SignalType Type => SignalType.Metrics;
    public override string Name => "metrics";
    public override string RecordNoun => "data points";
    protected override ISignalShape<MetricsData> Shape => MetricShape.Instance;

    public override async Task<SignalPage<MetricsData>> FetchPageAsync(OteleportClient client, OteleportTimeRange range, long limit, string cursor, FetchFilter filter, CancellationToken cancellationToken)
    {
        var request = FetchRequests.Metrics(range, limit, cursor, filter);
        var page = await client.FetchMetricsAsync(request, cancellationToken).ConfigureAwait(false);
        return new(new MetricsData { ResourceMetrics = { page.ResourceMetrics } }, page.HasMore, page.NextCursor);
    }

    public override IMessage SingleResource(MetricsData data) => data.ResourceMetrics[0];
    public override IMessage ExportRequest(MetricsData data) => new ExportMetricsServiceRequest { ResourceMetrics = { data.ResourceMetrics } };

    public override void Shift(MetricsData data, TimeShifter shifter)
    {
        foreach (var metric in data.ResourceMetrics.SelectMany(r => r.ScopeMetrics).SelectMany(s => s.Metrics))
        {
            switch (metric.DataCase)
            {
                case Metric.DataOneofCase.Gauge:
                    foreach (var p in metric.Gauge.DataPoints) { ShiftNumber(p); }
                    break;
                case Metric.DataOneofCase.Sum:
                    foreach (var p in metric.Sum.DataPoints) { ShiftNumber(p); }
                    break;
                case Metric.DataOneofCase.Histogram:
                    foreach (var p in metric.Histogram.DataPoints)
                    {
                        p.StartTimeUnixNano = shifter.Shift(p.StartTimeUnixNano);
                        p.TimeUnixNano = shifter.Shift(p.TimeUnixNano);
                        ShiftExemplars(p.Exemplars);
                    }
                    break;
                case Metric.DataOneofCase.ExponentialHistogram:
                    foreach (var p in metric.ExponentialHistogram.DataPoints)
                    {
                        p.StartTimeUnixNano = shifter.Shift(p.StartTimeUnixNano);
                        p.TimeUnixNano = shifter.Shift(p.TimeUnixNano);
                        ShiftExemplars(p.Exemplars);
                    }
                    break;
                case Metric.DataOneofCase.Summary:
                    foreach (var p in metric.Summary.DataPoints)
                    {
                        p.StartTimeUnixNano = shifter.Shift(p.StartTimeUnixNano);
                        p.TimeUnixNano = shifter.Shift(p.TimeUnixNano);
                    }
                    break;
            }
        }

        void ShiftNumber(NumberDataPoint p)
        {
            p.StartTimeUnixNano = shifter.Shift(p.StartTimeUnixNano);
            p.TimeUnixNano = shifter.Shift(p.TimeUnixNano);
            ShiftExemplars(p.Exemplars);
        }

        void ShiftExemplars(IEnumerable<Exemplar> exemplars)
        {
            foreach (var e in exemplars)
            {
                e.TimeUnixNano = shifter.Shift(e.TimeUnixNano);
            }
        }
    }
}

internal sealed class LogsSignal : CliSignal<LogsData>
{
    public static readonly LogsSignal Instance = new();

    public override SignalType Type => SignalType.Logs;
    public override string Name => "logs";
    public override string RecordNoun => "log records";
    protected override ISignalShape<LogsData> Shape => LogShape.Instance;

    public override async Task<SignalPage<LogsData>> FetchPageAsync(OteleportClient client, OteleportTimeRange range, long limit, string cursor, FetchFilter filter, CancellationToken cancellationToken)
    {
        var request = FetchRequests.Logs(range, limit, cursor, filter);
        var page = await client.FetchLogsAsync(request, cancellationToken).ConfigureAwait(false);
        return new(new LogsData { ResourceLogs = { page.ResourceLogs } }, page.HasMore, page.NextCursor);
    }

    public override IMessage SingleResource(LogsData data) => data.ResourceLogs[0];
    public override IMessage ExportRequest(LogsData data) => new ExportLogsServiceRequest { ResourceLogs = { data.ResourceLogs } };

    public override void Shift(LogsData data, TimeShifter shifter)
    {
        foreach (var log in data.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
        {
            log.TimeUnixNano = shifter.Shift(log.TimeUnixNano);
            log.ObservedTimeUnixNano = shifter.Shift(log.ObservedTimeUnixNano);
        }
    }
}
