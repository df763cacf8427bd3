using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Signals;

namespace Oteleport.Query;

/// <summary>Decides whether one record passes a <see cref="FetchFilter"/>.</summary>
internal static class RecordMatcher
{
    public static bool Matches(in SignalRecord record, FetchFilter filter)
    {
        if (filter.IsEmpty)
        {
            return true;
        }
        var resource = ResourceOf(record.Resource);
        if (!string.IsNullOrEmpty(filter.ServiceName) && ServiceNameOf(resource) != filter.ServiceName)
        {
            return false;
        }
        foreach (var wanted in filter.ResourceAttributes)
        {
            if (!HasAttribute(resource?.Attributes, wanted.Key, wanted.Value))
            {
                return false;
            }
        }
        return record.Item switch
        {
            Span span => MatchesSpan(span, filter),
            LogRecord log => MatchesLog(log, filter),
            _ => MatchesPoint(record, filter),
        };
    }

    private static bool MatchesSpan(Span span, FetchFilter filter) =>
        (string.IsNullOrEmpty(filter.SpanName) || span.Name == filter.SpanName)
        && (filter.TraceId is not { IsEmpty: false } traceId || span.TraceId.Equals(traceId))
        && (filter.SpanKind is not { } kind || span.Kind == kind)
        && (filter.StatusCode is not { } status || (span.Status?.Code ?? Status.Types.StatusCode.Unset) == status)
        && AllAttributes(span.Attributes, filter.Attributes);

    private static bool MatchesLog(LogRecord log, FetchFilter filter) =>
        (filter.TraceId is not { IsEmpty: false } traceId || log.TraceId.Equals(traceId))
        && (filter.MinSeverity == SeverityNumber.Unspecified || log.SeverityNumber >= filter.MinSeverity)
        && (string.IsNullOrEmpty(filter.BodyContains) || (log.Body is { } body && Text(body).Contains(filter.BodyContains, StringComparison.Ordinal)))
        && AllAttributes(log.Attributes, filter.Attributes);

    private static bool MatchesPoint(in SignalRecord record, FetchFilter filter)
    {
        if (!string.IsNullOrEmpty(filter.MetricName) && (record.Metric as Metric)?.Name != filter.MetricName)
        {
            return false;
        }
        var attributes = record.Item switch
        {
            NumberDataPoint p => p.Attributes,
            HistogramDataPoint p => p.Attributes,
            ExponentialHistogramDataPoint p => p.Attributes,
            SummaryDataPoint p => p.Attributes,
            _ => null,
        };
        return AllAttributes(attributes, filter.Attributes);
    }

    /// <summary>The Resource of a ResourceSpans / ResourceMetrics / ResourceLogs container.</summary>
    internal static Resource? ResourceOf(IMessage container) => container switch
    {
        ResourceSpans r => r.Resource,
        ResourceMetrics r => r.Resource,
        ResourceLogs r => r.Resource,
        _ => null,
    };

    /// <summary>The <c>service.name</c> resource attribute, or null.</summary>
    internal static string? ServiceNameOf(Resource? resource)
    {
        if (resource is null)
        {
            return null;
        }
        foreach (var kv in resource.Attributes)
        {
            if (kv.Key == "service.name")
            {
                return kv.Value?.StringValue;
            }
        }
        return null;
    }

    private static bool AllAttributes(RepeatedField<KeyValue>? attributes, IReadOnlyList<KeyValue> wanted)
    {
        foreach (var kv in wanted)
        {
            if (!HasAttribute(attributes, kv.Key, kv.Value))
            {
                return false;
            }
        }
        return true;
    }

    private static bool HasAttribute(RepeatedField<KeyValue>? attributes, string key, AnyValue? wanted)
    {
        if (attributes is null)
        {
            return false;
        }
        foreach (var kv in attributes)
        {
            if (kv.Key != key)
            {
                continue;
            }
            if (wanted is null || wanted.ValueCase == AnyValue.ValueOneofCase.None)
            {
                return true; // presence only
            }
            if (kv.Value is null)
            {
                return false;
            }
            // A string from a command line or a query matches any value with the same text form.
            return wanted.ValueCase == AnyValue.ValueOneofCase.StringValue
                ? Text(kv.Value) == wanted.StringValue
                : kv.Value.Equals(wanted);
        }
        return false;
    }

    /// <summary>The text form of a value: strings as they are, numbers invariant, others as OTLP JSON.</summary>
    internal static string Text(AnyValue value) => value.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.None => "",
        _ => System.Text.Encoding.UTF8.GetString(Otlp.Json.OtlpJson.Serialize(value)),
    };
}
