using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Proto.V1;
using Oteleport.Signals;

namespace Oteleport.Storage.Flatten;

/// <summary>
/// Turns records into the flattened messages of a <c>flatten: true</c> object (one span, data point or
/// log record with copies of its resource, scope and metric fields) and back.
/// </summary>
/// <remarks>
/// The flattened messages reference the record's own values (attribute lists, events, data points); they
/// are built to be written and dropped, never mutated.
/// </remarks>
internal static class FlattenRecords
{
    /// <summary>The flattened message of a record of <paramref name="signal"/>.</summary>
    public static IMessage ToFlatten(SignalType signal, in SignalRecord record) => signal switch
    {
        SignalType.Traces => ToFlattenSpan(record),
        SignalType.Metrics => ToFlattenDataPoint(record),
        _ => ToFlattenLogRecord(record),
    };

    public static FlattenSpan ToFlattenSpan(in SignalRecord record)
    {
        var resource = (ResourceSpans)record.Resource;
        var scope = (ScopeSpans)record.Scope;
        var span = (Span)record.Item;
        var flat = new FlattenSpan
        {
            DroppedResourceAttributesCount = resource.Resource?.DroppedAttributesCount ?? 0,
            ResourceSpanSchemaUrl = resource.SchemaUrl,
            ScopeName = scope.Scope?.Name ?? "",
            ScopeVersion = scope.Scope?.Version ?? "",
            DroppedScopeAttributesCount = scope.Scope?.DroppedAttributesCount ?? 0,
            ScopeSpanSchemaUrl = scope.SchemaUrl,
            TraceId = span.TraceId,
            SpanId = span.SpanId,
            TraceState = span.TraceState,
            ParentSpanId = span.ParentSpanId,
            Name = span.Name,
            Kind = span.Kind,
            StartTimeUnixNano = span.StartTimeUnixNano,
            EndTimeUnixNano = span.EndTimeUnixNano,
            DroppedAttributesCount = span.DroppedAttributesCount,
            DroppedEventsCount = span.DroppedEventsCount,
            DroppedLinksCount = span.DroppedLinksCount,
            Status = span.Status,
            Flags = span.Flags,
        };
        AddAttributes(flat.ResourceAttributes, resource.Resource);
        AddAttributes(flat.ScopeAttributes, scope.Scope);
        flat.Attributes.Add(span.Attributes);
        flat.Events.Add(span.Events);
        flat.Links.Add(span.Links);
        return flat;
    }

    public static FlattenDataPoint ToFlattenDataPoint(in SignalRecord record)
    {
        var resource = (ResourceMetrics)record.Resource;
        var scope = (ScopeMetrics)record.Scope;
        var metric = (Metric)record.Metric!;
        var flat = new FlattenDataPoint
        {
            DroppedResourceAttributesCount = resource.Resource?.DroppedAttributesCount ?? 0,
            ResourceMetricSchemaUrl = resource.SchemaUrl,
            ScopeName = scope.Scope?.Name ?? "",
            ScopeVersion = scope.Scope?.Version ?? "",
            DroppedScopeAttributesCount = scope.Scope?.DroppedAttributesCount ?? 0,
            ScopeMetricSchemaUrl = scope.SchemaUrl,
            Name = metric.Name,
            Description = metric.Description,
            Unit = metric.Unit,
        };
        AddAttributes(flat.ResourceAttributes, resource.Resource);
        AddAttributes(flat.ScopeAttributes, scope.Scope);
        flat.Metadata.Add(metric.Metadata);
        // The point's own times are repeated at the top level (as the Go server writes them), so that a
        // query engine can filter on them without opening the kind wrapper.
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                var gaugePoint = (NumberDataPoint)record.Item;
                flat.Gauge = new FlattenGuage { DataPoint = gaugePoint };
                SetTimes(flat, gaugePoint.StartTimeUnixNano, gaugePoint.TimeUnixNano);
                break;
            case Metric.DataOneofCase.Sum:
                var sumPoint = (NumberDataPoint)record.Item;
                flat.Sum = new FlattenSum
                {
                    DataPoint = sumPoint,
                    AggregationTemporality = metric.Sum.AggregationTemporality,
                    IsMonotonic = metric.Sum.IsMonotonic,
                };
                SetTimes(flat, sumPoint.StartTimeUnixNano, sumPoint.TimeUnixNano);
                break;
            case Metric.DataOneofCase.Histogram:
                var histogramPoint = (HistogramDataPoint)record.Item;
                flat.Histogram = new FlattenHistogram
                {
                    DataPoint = histogramPoint,
                    AggregationTemporality = metric.Histogram.AggregationTemporality,
                };
                SetTimes(flat, histogramPoint.StartTimeUnixNano, histogramPoint.TimeUnixNano);
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                var exponentialPoint = (ExponentialHistogramDataPoint)record.Item;
                flat.ExponentialHistogram = new FlattenExponentialHistogram
                {
                    DataPoint = exponentialPoint,
                    AggregationTemporality = metric.ExponentialHistogram.AggregationTemporality,
                };
                SetTimes(flat, exponentialPoint.StartTimeUnixNano, exponentialPoint.TimeUnixNano);
                break;
            case Metric.DataOneofCase.Summary:
                var summaryPoint = (SummaryDataPoint)record.Item;
                flat.Summary = new FlattenSummary { DataPoint = summaryPoint };
                SetTimes(flat, summaryPoint.StartTimeUnixNano, summaryPoint.TimeUnixNano);
                break;
        }
        return flat;

        static void SetTimes(FlattenDataPoint flat, ulong start, ulong time)
        {
            flat.StartTimeUnixNano = start;
            flat.TimeUnixNano = time;
        }
    }

    public static FlattenLogRecord ToFlattenLogRecord(in SignalRecord record)
    {
        var resource = (ResourceLogs)record.Resource;
        var scope = (ScopeLogs)record.Scope;
        var log = (LogRecord)record.Item;
        var flat = new FlattenLogRecord
        {
            DroppedResourceAttributesCount = resource.Resource?.DroppedAttributesCount ?? 0,
            ResourceLogSchemaUrl = resource.SchemaUrl,
            ScopeName = scope.Scope?.Name ?? "",
            ScopeVersion = scope.Scope?.Version ?? "",
            DroppedScopeAttributesCount = scope.Scope?.DroppedAttributesCount ?? 0,
            ScopeLogSchemaUrl = scope.SchemaUrl,
            TimeUnixNano = log.TimeUnixNano,
            SeverityNumber = log.SeverityNumber,
            SeverityText = log.SeverityText,
            Body = log.Body,
            DroppedAttributesCount = log.DroppedAttributesCount,
            Flags = log.Flags,
            TraceId = log.TraceId,
            SpanId = log.SpanId,
            ObservedTimeUnixNano = log.ObservedTimeUnixNano,
        };
        AddAttributes(flat.ResourceAttributes, resource.Resource);
        AddAttributes(flat.ScopeAttributes, scope.Scope);
        flat.Attributes.Add(log.Attributes);
        return flat;
    }

    private static void AddAttributes(Google.Protobuf.Collections.RepeatedField<KeyValue> target, Resource? resource)
    {
        if (resource is not null)
        {
            target.Add(resource.Attributes);
        }
    }

    private static void AddAttributes(Google.Protobuf.Collections.RepeatedField<KeyValue> target, InstrumentationScope? scope)
    {
        if (scope is not null)
        {
            target.Add(scope.Attributes);
        }
    }

    // ---- back to records ----

    /// <summary>The record of a flattened span; its containers come from <paramref name="containers"/>.</summary>
    public static SignalRecord FromFlatten(FlattenSpan flat, FlattenContainers containers)
    {
        var resource = containers.Share(new ResourceSpans
        {
            Resource = ResourceOf(flat.ResourceAttributes, flat.DroppedResourceAttributesCount),
            SchemaUrl = flat.ResourceSpanSchemaUrl,
        });
        var scope = containers.Share(new ScopeSpans
        {
            Scope = ScopeOf(flat.ScopeName, flat.ScopeVersion, flat.ScopeAttributes, flat.DroppedScopeAttributesCount),
            SchemaUrl = flat.ScopeSpanSchemaUrl,
        });
        var span = new Span
        {
            TraceId = flat.TraceId,
            SpanId = flat.SpanId,
            TraceState = flat.TraceState,
            ParentSpanId = flat.ParentSpanId,
            Flags = flat.Flags,
            Name = flat.Name,
            Kind = flat.Kind,
            StartTimeUnixNano = flat.StartTimeUnixNano,
            EndTimeUnixNano = flat.EndTimeUnixNano,
            DroppedAttributesCount = flat.DroppedAttributesCount,
            DroppedEventsCount = flat.DroppedEventsCount,
            DroppedLinksCount = flat.DroppedLinksCount,
            Status = flat.Status,
        };
        span.Attributes.Add(flat.Attributes);
        span.Events.Add(flat.Events);
        span.Links.Add(flat.Links);
        // As TraceShape: the span start, else its end.
        var time = span.StartTimeUnixNano != 0 ? span.StartTimeUnixNano : span.EndTimeUnixNano;
        return new SignalRecord(resource, scope, null, span, time);
    }

    /// <summary>The record of a flattened data point; its containers come from <paramref name="containers"/>.</summary>
    /// <exception cref="InvalidDataException">The line names no metric kind.</exception>
    public static SignalRecord FromFlatten(FlattenDataPoint flat, FlattenContainers containers)
    {
        var resource = containers.Share(new ResourceMetrics
        {
            Resource = ResourceOf(flat.ResourceAttributes, flat.DroppedResourceAttributesCount),
            SchemaUrl = flat.ResourceMetricSchemaUrl,
        });
        var scope = containers.Share(new ScopeMetrics
        {
            Scope = ScopeOf(flat.ScopeName, flat.ScopeVersion, flat.ScopeAttributes, flat.DroppedScopeAttributesCount),
            SchemaUrl = flat.ScopeMetricSchemaUrl,
        });
        var metric = new Metric { Name = flat.Name, Description = flat.Description, Unit = flat.Unit };
        metric.Metadata.Add(flat.Metadata);
        IMessage point;
        ulong time;
        // The point's own times win; the top-level copies fill in a point written without them.
        switch (flat.DataCase)
        {
            case FlattenDataPoint.DataOneofCase.Gauge:
                metric.Gauge = new Gauge();
                var gaugePoint = flat.Gauge.DataPoint ?? new NumberDataPoint();
                gaugePoint.StartTimeUnixNano = Either(gaugePoint.StartTimeUnixNano, flat.StartTimeUnixNano);
                gaugePoint.TimeUnixNano = Either(gaugePoint.TimeUnixNano, flat.TimeUnixNano);
                (point, time) = (gaugePoint, Either(gaugePoint.TimeUnixNano, gaugePoint.StartTimeUnixNano));
                break;
            case FlattenDataPoint.DataOneofCase.Sum:
                metric.Sum = new Sum { AggregationTemporality = flat.Sum.AggregationTemporality, IsMonotonic = flat.Sum.IsMonotonic };
                var sumPoint = flat.Sum.DataPoint ?? new NumberDataPoint();
                sumPoint.StartTimeUnixNano = Either(sumPoint.StartTimeUnixNano, flat.StartTimeUnixNano);
                sumPoint.TimeUnixNano = Either(sumPoint.TimeUnixNano, flat.TimeUnixNano);
                (point, time) = (sumPoint, Either(sumPoint.TimeUnixNano, sumPoint.StartTimeUnixNano));
                break;
            case FlattenDataPoint.DataOneofCase.Histogram:
                metric.Histogram = new Histogram { AggregationTemporality = flat.Histogram.AggregationTemporality };
                var histogramPoint = flat.Histogram.DataPoint ?? new HistogramDataPoint();
                histogramPoint.StartTimeUnixNano = Either(histogramPoint.StartTimeUnixNano, flat.StartTimeUnixNano);
                histogramPoint.TimeUnixNano = Either(histogramPoint.TimeUnixNano, flat.TimeUnixNano);
                (point, time) = (histogramPoint, Either(histogramPoint.TimeUnixNano, histogramPoint.StartTimeUnixNano));
                break;
            case FlattenDataPoint.DataOneofCase.ExponentialHistogram:
                metric.ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = flat.ExponentialHistogram.AggregationTemporality };
                var exponentialPoint = flat.ExponentialHistogram.DataPoint ?? new ExponentialHistogramDataPoint();
                exponentialPoint.StartTimeUnixNano = Either(exponentialPoint.StartTimeUnixNano, flat.StartTimeUnixNano);
                exponentialPoint.TimeUnixNano = Either(exponentialPoint.TimeUnixNano, flat.TimeUnixNano);
                (point, time) = (exponentialPoint, Either(exponentialPoint.TimeUnixNano, exponentialPoint.StartTimeUnixNano));
                break;
            case FlattenDataPoint.DataOneofCase.Summary:
                metric.Summary = new Summary();
                var summaryPoint = flat.Summary.DataPoint ?? new SummaryDataPoint();
                summaryPoint.StartTimeUnixNano = Either(summaryPoint.StartTimeUnixNano, flat.StartTimeUnixNano);
                summaryPoint.TimeUnixNano = Either(summaryPoint.TimeUnixNano, flat.TimeUnixNano);
                (point, time) = (summaryPoint, Either(summaryPoint.TimeUnixNano, summaryPoint.StartTimeUnixNano));
                break;
            default:
                throw new InvalidDataException("a flattened data point has none of gauge, sum, histogram, exponentialHistogram, summary");
        }
        // The record time is MetricShape's: the observation time, else the start.
        return new SignalRecord(resource, scope, containers.Share(metric), point, time);
    }

    /// <summary>The record of a flattened log record; its containers come from <paramref name="containers"/>.</summary>
    public static SignalRecord FromFlatten(FlattenLogRecord flat, FlattenContainers containers)
    {
        var resource = containers.Share(new ResourceLogs
        {
            Resource = ResourceOf(flat.ResourceAttributes, flat.DroppedResourceAttributesCount),
            SchemaUrl = flat.ResourceLogSchemaUrl,
        });
        var scope = containers.Share(new ScopeLogs
        {
            Scope = ScopeOf(flat.ScopeName, flat.ScopeVersion, flat.ScopeAttributes, flat.DroppedScopeAttributesCount),
            SchemaUrl = flat.ScopeLogSchemaUrl,
        });
        var log = new LogRecord
        {
            TimeUnixNano = flat.TimeUnixNano,
            ObservedTimeUnixNano = flat.ObservedTimeUnixNano,
            SeverityNumber = flat.SeverityNumber,
            SeverityText = flat.SeverityText,
            Body = flat.Body,
            DroppedAttributesCount = flat.DroppedAttributesCount,
            Flags = flat.Flags,
            TraceId = flat.TraceId,
            SpanId = flat.SpanId,
        };
        log.Attributes.Add(flat.Attributes);
        // As LogShape: the event time, else the observed time.
        var time = log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
        return new SignalRecord(resource, scope, null, log, time);
    }

    private static ulong Either(ulong first, ulong fallback) => first != 0 ? first : fallback;

    // A flattened line cannot tell an absent resource or scope from an empty one; senders set both,
    // so an empty one is read back as a present, empty message (what the Go server does too).
    private static Resource ResourceOf(IEnumerable<KeyValue> attributes, uint dropped)
    {
        var resource = new Resource { DroppedAttributesCount = dropped };
        resource.Attributes.Add(attributes);
        return resource;
    }

    private static InstrumentationScope ScopeOf(string name, string version, IEnumerable<KeyValue> attributes, uint dropped)
    {
        var scope = new InstrumentationScope { Name = name, Version = version, DroppedAttributesCount = dropped };
        scope.Attributes.Add(attributes);
        return scope;
    }
}
