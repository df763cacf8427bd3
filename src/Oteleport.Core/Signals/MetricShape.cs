using Google.Protobuf;
using OpenTelemetry.Proto.Metrics.V1;

namespace Oteleport.Signals;

/// <summary>Metrics have one level more: resource -> scope -> metric -> data points of one of five kinds.</summary>
internal sealed class MetricShape : ISignalShape<MetricsData>
{
    public static readonly MetricShape Instance = new();

    public SignalType Signal => SignalType.Metrics;

    public void Collect(MetricsData data, List<SignalRecord> records)
    {
        foreach (var resource in data.ResourceMetrics)
        {
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    switch (metric.DataCase)
                    {
                        case Metric.DataOneofCase.Gauge:
                            foreach (var p in metric.Gauge.DataPoints) { Add(p, p.TimeUnixNano, p.StartTimeUnixNano); }
                            break;
                        case Metric.DataOneofCase.Sum:
                            foreach (var p in metric.Sum.DataPoints) { Add(p, p.TimeUnixNano, p.StartTimeUnixNano); }
                            break;
                        case Metric.DataOneofCase.Histogram:
                            foreach (var p in metric.Histogram.DataPoints) { Add(p, p.TimeUnixNano, p.StartTimeUnixNano); }
                            break;
                        case Metric.DataOneofCase.ExponentialHistogram:
                            foreach (var p in metric.ExponentialHistogram.DataPoints) { Add(p, p.TimeUnixNano, p.StartTimeUnixNano); }
                            break;
                        case Metric.DataOneofCase.Summary:
                            foreach (var p in metric.Summary.DataPoints) { Add(p, p.TimeUnixNano, p.StartTimeUnixNano); }
                            break;
                    }

                    // The observation time, not the start: a cumulative series started at process start
                    // must land in the hour it was observed (the Go server's partitioning missed it).
                    void Add(IMessage point, ulong time, ulong start) =>
                        records.Add(new SignalRecord(resource, scope, metric, point, time != 0 ? time : start));
                }
            }
        }
    }

    public MetricsData Build(IEnumerable<SignalRecord> records)
    {
        var data = new MetricsData();
        IMessage? lastResource = null, lastScope = null, lastMetric = null;
        ResourceMetrics? resourceOut = null;
        ScopeMetrics? scopeOut = null;
        Metric? metricOut = null;
        foreach (var record in records)
        {
            if (!ReferenceEquals(record.Resource, lastResource))
            {
                var source = (ResourceMetrics)record.Resource;
                resourceOut = new ResourceMetrics { Resource = source.Resource, SchemaUrl = source.SchemaUrl };
                data.ResourceMetrics.Add(resourceOut);
                lastResource = record.Resource;
                lastScope = null;
            }
            if (!ReferenceEquals(record.Scope, lastScope))
            {
                var source = (ScopeMetrics)record.Scope;
                scopeOut = new ScopeMetrics { Scope = source.Scope, SchemaUrl = source.SchemaUrl };
                resourceOut!.ScopeMetrics.Add(scopeOut);
                lastScope = record.Scope;
                lastMetric = null;
            }
            if (!ReferenceEquals(record.Metric, lastMetric))
            {
                metricOut = EmptyCopy((Metric)record.Metric!);
                scopeOut!.Metrics.Add(metricOut);
                lastMetric = record.Metric;
            }
            AddPoint(metricOut!, record.Item);
        }
        return data;
    }

    /// <summary>The metric's name, description, unit, metadata and kind settings, without data points.</summary>
    internal static Metric EmptyCopy(Metric source)
    {
        var copy = new Metric { Name = source.Name, Description = source.Description, Unit = source.Unit };
        copy.Metadata.Add(source.Metadata);
        switch (source.DataCase)
        {
            case Metric.DataOneofCase.Gauge:
                copy.Gauge = new Gauge();
                break;
            case Metric.DataOneofCase.Sum:
                copy.Sum = new Sum { AggregationTemporality = source.Sum.AggregationTemporality, IsMonotonic = source.Sum.IsMonotonic };
                break;
            case Metric.DataOneofCase.Histogram:
                copy.Histogram = new Histogram { AggregationTemporality = source.Histogram.AggregationTemporality };
                break;
            case Metric.DataOneofCase.ExponentialHistogram:
                copy.ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = source.ExponentialHistogram.AggregationTemporality };
                break;
            case Metric.DataOneofCase.Summary:
                copy.Summary = new Summary();
                break;
        }
        return copy;
    }

    private static void AddPoint(Metric metric, IMessage point)
    {
        switch (metric.DataCase)
        {
            case Metric.DataOneofCase.Gauge: metric.Gauge.DataPoints.Add((NumberDataPoint)point); break;
            case Metric.DataOneofCase.Sum: metric.Sum.DataPoints.Add((NumberDataPoint)point); break;
            case Metric.DataOneofCase.Histogram: metric.Histogram.DataPoints.Add((HistogramDataPoint)point); break;
            case Metric.DataOneofCase.ExponentialHistogram: metric.ExponentialHistogram.DataPoints.Add((ExponentialHistogramDataPoint)point); break;
            case Metric.DataOneofCase.Summary: metric.Summary.DataPoints.Add((SummaryDataPoint)point); break;
        }
    }
}
