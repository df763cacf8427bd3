using Google.Protobuf;
using OpenTelemetry.Proto.Logs.V1;
using Oteleport.Proto.V1;
using Oteleport.Query;

namespace Oteleport.Client;

/// <summary>
/// The fetch requests of one page: a range, a page size, a cursor and the filters. Each signal's request
/// carries the filters that apply to it; a filter that it cannot carry is refused rather than dropped,
/// because dropping it would widen the answer without a word.
/// </summary>
internal static class FetchRequests
{
    public static FetchTracesDataRequest Traces(OteleportTimeRange range, long limit, string cursor, FetchFilter filter)
    {
        CheckApplies(filter, "traces");
        var request = new FetchTracesDataRequest
        {
            StartTimeUnixNano = range.StartTimeUnixNano,
            EndTimeUnixNano = range.EndTimeUnixNano,
            Limit = limit,
            Cursor = cursor,
            ServiceName = filter.ServiceName ?? "",
            SpanName = filter.SpanName ?? "",
            TraceId = filter.TraceId ?? ByteString.Empty,
        };
        request.ResourceAttributes.Add(filter.ResourceAttributes);
        request.Attributes.Add(filter.Attributes);
        if (filter.SpanKind is { } kind)
        {
            request.SpanKind = kind;
        }
        if (filter.StatusCode is { } status)
        {
            request.StatusCode = status;
        }
        return request;
    }

    public static FetchMetricsDataRequest Metrics(OteleportTimeRange range, long limit, string cursor, FetchFilter filter)
    {
        CheckApplies(filter, "metrics");
        var request = new FetchMetricsDataRequest
        {
            StartTimeUnixNano = range.StartTimeUnixNano,
            EndTimeUnixNano = range.EndTimeUnixNano,
            Limit = limit,
            Cursor = cursor,
            ServiceName = filter.ServiceName ?? "",
            MetricName = filter.MetricName ?? "",
        };
        request.ResourceAttributes.Add(filter.ResourceAttributes);
        request.Attributes.Add(filter.Attributes);
        return request;
    }

    public static FetchLogsDataRequest Logs(OteleportTimeRange range, long limit, string cursor, FetchFilter filter)
    {
        CheckApplies(filter, "logs");
        var request = new FetchLogsDataRequest
        {
            StartTimeUnixNano = range.StartTimeUnixNano,
            EndTimeUnixNano = range.EndTimeUnixNano,
            Limit = limit,
            Cursor = cursor,
            ServiceName = filter.ServiceName ?? "",
            TraceId = filter.TraceId ?? ByteString.Empty,
            MinSeverityNumber = filter.MinSeverity,
            BodyContains = filter.BodyContains ?? "",
        };
        request.ResourceAttributes.Add(filter.ResourceAttributes);
        request.Attributes.Add(filter.Attributes);
        return request;
    }

    /// <summary>Refuses filters the signal's request has no field for, and trace ids that are not 16 bytes.</summary>
    /// <exception cref="ArgumentException">A filter does not apply to <paramref name="signal"/>, or the trace id has the wrong length.</exception>
    private static void CheckApplies(FetchFilter filter, string signal)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var traces = signal == "traces";
        var metrics = signal == "metrics";
        var logs = signal == "logs";
        void Refuse(string name, bool set, bool applies, string where)
        {
            if (set && !applies)
            {
                throw new ArgumentException($"{nameof(FetchFilter)}.{name} applies to {where} only", nameof(filter));
            }
        }
        Refuse(nameof(FetchFilter.SpanName), !string.IsNullOrEmpty(filter.SpanName), traces, "traces");
        Refuse(nameof(FetchFilter.SpanKind), filter.SpanKind is not null, traces, "traces");
        Refuse(nameof(FetchFilter.StatusCode), filter.StatusCode is not null, traces, "traces");
        Refuse(nameof(FetchFilter.TraceId), filter.TraceId is { IsEmpty: false }, traces || logs, "traces and logs");
        Refuse(nameof(FetchFilter.MinSeverity), filter.MinSeverity != SeverityNumber.Unspecified, logs, "logs");
        Refuse(nameof(FetchFilter.BodyContains), !string.IsNullOrEmpty(filter.BodyContains), logs, "logs");
        Refuse(nameof(FetchFilter.MetricName), !string.IsNullOrEmpty(filter.MetricName), metrics, "metrics");
        if (filter.TraceId is { IsEmpty: false } id && id.Length != 16)
        {
            throw new ArgumentException($"{nameof(FetchFilter)}.{nameof(FetchFilter.TraceId)} must be 16 bytes, not {id.Length}", nameof(filter));
        }
    }
}
