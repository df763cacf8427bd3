using System.Text.Json;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Testing;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>Names, times and record views for reading results back.</summary>
internal static class Records
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static ulong Nanos(DateTimeOffset time) => TestSignals.UnixNano(time);

    /// <summary>A fetch range around now, wide enough for clock steps between sending and fetching.</summary>
    public static (ulong Start, ulong End) AroundNow(TimeSpan? margin = null)
    {
        var now = DateTimeOffset.UtcNow;
        var m = margin ?? TimeSpan.FromMinutes(2);
        return (Nanos(now - m), Nanos(now + m));
    }

    public static ByteString Id(string hex) => ByteString.CopyFrom(Convert.FromHexString(hex));

    public static string? StringAttr(this IEnumerable<KeyValue> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key)?.Value.StringValue;

    public static AnyValue? Attr(this IEnumerable<KeyValue> attributes, string key) =>
        attributes.FirstOrDefault(a => a.Key == key)?.Value;

    public static string ServiceName(this OpenTelemetry.Proto.Resource.V1.Resource? resource) =>
        resource?.Attributes.StringAttr("service.name") ?? "";

    /// <summary>The spans of one instrumentation scope.</summary>
    public static List<Span> SpansOfScope(IEnumerable<ResourceSpans> resources, string scope) =>
        resources.SelectMany(r => r.ScopeSpans).Where(s => s.Scope?.Name == scope).SelectMany(s => s.Spans).ToList();

    public static List<LogRecord> LogsOfScope(IEnumerable<ResourceLogs> resources, string scope) =>
        resources.SelectMany(r => r.ScopeLogs).Where(s => s.Scope?.Name == scope).SelectMany(s => s.LogRecords).ToList();

    public static List<Metric> MetricsOfScope(IEnumerable<ResourceMetrics> resources, string scope) =>
        resources.SelectMany(r => r.ScopeMetrics).Where(s => s.Scope?.Name == scope).SelectMany(s => s.Metrics).ToList();

    /// <summary>
    /// One line per data point with its resource, scope and metric, so two documents that hold the same
    /// points compare equal however the points are grouped (the store may split them by hour).
    /// </summary>
    public static List<string> FlattenPoints(IEnumerable<ResourceMetrics> resources)
    {
        var lines = new List<string>();
        foreach (var resource in resources)
        {
            foreach (var scope in resource.ScopeMetrics)
            {
                foreach (var metric in scope.Metrics)
                {
                    var shell = metric.Clone();
                    IEnumerable<IMessage> points;
                    switch (metric.DataCase)
                    {
                        case Metric.DataOneofCase.Gauge: points = metric.Gauge.DataPoints; shell.Gauge.DataPoints.Clear(); break;
                        case Metric.DataOneofCase.Sum: points = metric.Sum.DataPoints; shell.Sum.DataPoints.Clear(); break;
                        case Metric.DataOneofCase.Histogram: points = metric.Histogram.DataPoints; shell.Histogram.DataPoints.Clear(); break;
                        case Metric.DataOneofCase.ExponentialHistogram: points = metric.ExponentialHistogram.DataPoints; shell.ExponentialHistogram.DataPoints.Clear(); break;
                        case Metric.DataOneofCase.Summary: points = metric.Summary.DataPoints; shell.Summary.DataPoints.Clear(); break;
                        default: throw new InvalidOperationException($"metric {metric.Name} has no data");
                    }
                    foreach (var point in points)
                    {
                        lines.Add($"{resource.Resource} {resource.SchemaUrl} | {scope.Scope} {scope.SchemaUrl} | {shell} | {point}");
                    }
                }
            }
        }
        return lines;
    }

    /// <summary>The span objects of one scope in a fetch response's raw JSON, by name (to check the wire form itself).</summary>
    public static Dictionary<string, JsonElement> JsonSpansByName(JsonDocument document, string scope) =>
        document.RootElement.GetProperty("resourceSpans").EnumerateArray()
            .SelectMany(r => r.GetProperty("scopeSpans").EnumerateArray())
            .Where(s => s.TryGetProperty("scope", out var sc) && sc.GetProperty("name").GetString() == scope)
            .SelectMany(s => s.GetProperty("spans").EnumerateArray())
            .GroupBy(s => s.GetProperty("name").GetString()!)
            .ToDictionary(g => g.Key, g => g.First());
}
