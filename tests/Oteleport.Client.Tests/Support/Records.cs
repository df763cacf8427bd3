using Google.Protobuf;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Tests.Support;

/// <summary>
/// Documents as a sorted list of their records, each serialized with its resource, scope (and metric), so
/// that two documents holding the same records compare equal however the records are grouped or paged.
/// </summary>
public static class Records
{
    public static List<string> Of(IEnumerable<ResourceSpans> resources) => Sorted(
        from r in resources
        from s in r.ScopeSpans
        from span in s.Spans
        select (IMessage)new ResourceSpans
        {
            Resource = r.Resource,
            SchemaUrl = r.SchemaUrl,
            ScopeSpans = { new ScopeSpans { Scope = s.Scope, SchemaUrl = s.SchemaUrl, Spans = { span } } },
        });

    public static List<string> Of(IEnumerable<ResourceLogs> resources) => Sorted(
        from r in resources
        from s in r.ScopeLogs
        from log in s.LogRecords
        select (IMessage)new ResourceLogs
        {
            Resource = r.Resource,
            SchemaUrl = r.SchemaUrl,
            ScopeLogs = { new ScopeLogs { Scope = s.Scope, SchemaUrl = s.SchemaUrl, LogRecords = { log } } },
        });

    public static List<string> Of(IEnumerable<ResourceMetrics> resources) => Sorted(
        from r in resources
        from s in r.ScopeMetrics
        from m in s.Metrics
        from single in SplitPoints(m)
        select (IMessage)new ResourceMetrics
        {
            Resource = r.Resource,
            SchemaUrl = r.SchemaUrl,
            ScopeMetrics = { new ScopeMetrics { Scope = s.Scope, SchemaUrl = s.SchemaUrl, Metrics = { single } } },
        });

    public static List<string> Of(TracesData data) => Of(data.ResourceSpans);
    public static List<string> Of(MetricsData data) => Of(data.ResourceMetrics);
    public static List<string> Of(LogsData data) => Of(data.ResourceLogs);

    /// <summary>A metric per data point, each holding that one point.</summary>
    public static IEnumerable<Metric> SplitPoints(Metric metric)
    {
        var count = metric.DataCase switch
        {
            Metric.DataOneofCase.Gauge => metric.Gauge.DataPoints.Count,
            Metric.DataOneofCase.Sum => metric.Sum.DataPoints.Count,
            Metric.DataOneofCase.Histogram => metric.Histogram.DataPoints.Count,
            Metric.DataOneofCase.ExponentialHistogram => metric.ExponentialHistogram.DataPoints.Count,
            Metric.DataOneofCase.Summary => metric.Summary.DataPoints.Count,
            _ => 0,
        };
        for (var i = 0; i < count; i++)
        {
            var copy = metric.Clone();
            switch (copy.DataCase)
            {
                case Metric.DataOneofCase.Gauge: Keep(copy.Gauge.DataPoints, i); break;
                case Metric.DataOneofCase.Sum: Keep(copy.Sum.DataPoints, i); break;
                case Metric.DataOneofCase.Histogram: Keep(copy.Histogram.DataPoints, i); break;
                case Metric.DataOneofCase.ExponentialHistogram: Keep(copy.ExponentialHistogram.DataPoints, i); break;
                case Metric.DataOneofCase.Summary: Keep(copy.Summary.DataPoints, i); break;
            }
            yield return copy;
        }

        static void Keep<T>(Google.Protobuf.Collections.RepeatedField<T> points, int index)
        {
            var point = points[index];
            points.Clear();
            points.Add(point);
        }
    }

    private static List<string> Sorted(IEnumerable<IMessage> singles) =>
        singles.Select(m => Convert.ToBase64String(m.ToByteArray())).Order(StringComparer.Ordinal).ToList();
}
