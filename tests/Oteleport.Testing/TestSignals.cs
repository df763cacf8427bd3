using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Testing;

/// <summary>Deterministic OTLP test data.</summary>
public static class TestSignals
{
    public static ulong UnixNano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    public static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    public static KeyValue Attr(string key, long value) => new() { Key = key, Value = new AnyValue { IntValue = value } };

    public static Resource Service(string name) => new() { Attributes = { Attr("service.name", name) } };

    public static ByteString TraceId(int seed) => ByteString.CopyFrom(Bytes(seed, 16));

    public static ByteString SpanId(int seed) => ByteString.CopyFrom(Bytes(seed, 8));

    private static byte[] Bytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        bytes[0] |= 1; // never all zero
        return bytes;
    }

    /// <summary>
    /// <paramref name="count"/> spans starting at <paramref name="first"/>, <paramref name="spacing"/> apart,
    /// spread over <paramref name="services"/> resources with two scopes each. Span names are "span-{n}", unique.
    /// </summary>
    public static TracesData Spans(int count, DateTimeOffset first, TimeSpan spacing, int services = 2, int offset = 0)
    {
        var data = new TracesData();
        var scopes = new Dictionary<(int, int), ScopeSpans>();
        for (var s = 0; s < services; s++)
        {
            var resource = new ResourceSpans { Resource = Service($"service-{s}"), SchemaUrl = "https://opentelemetry.io/schemas/1.17.0" };
            for (var c = 0; c < 2; c++)
            {
                var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = $"scope-{c}", Version = "1.0" } };
                resource.ScopeSpans.Add(scope);
                scopes[(s, c)] = scope;
            }
            data.ResourceSpans.Add(resource);
        }
        for (var i = 0; i < count; i++)
        {
            var n = offset + i;
            var start = UnixNano(first + spacing * i);
            scopes[(n % services, (n / services) % 2)].Spans.Add(new Span
            {
                TraceId = TraceId(n / 4),
                SpanId = SpanId(n + 1_000_000),
                Name = $"span-{n}",
                Kind = Span.Types.SpanKind.Server,
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + 1_000_000,
                Attributes = { Attr("n", n) },
            });
        }
        return data;
    }

    public static LogsData Logs(int count, DateTimeOffset first, TimeSpan spacing)
    {
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "logger" } };
        for (var i = 0; i < count; i++)
        {
            scope.LogRecords.Add(new LogRecord
            {
                TimeUnixNano = UnixNano(first + spacing * i),
                SeverityNumber = SeverityNumber.Info,
                SeverityText = "INFO",
                Body = new AnyValue { StringValue = $"log-{i}" },
            });
        }
        return new LogsData { ResourceLogs = { new ResourceLogs { Resource = Service("logs-service"), ScopeLogs = { scope } } } };
    }

    /// <summary>One metric of each of the five kinds, each with <paramref name="points"/> points.</summary>
    public static MetricsData AllMetricKinds(DateTimeOffset time, int points = 2)
    {
        var t = UnixNano(time);
        var start = t - 60_000_000_000UL;
        var scope = new ScopeMetrics { Scope = new InstrumentationScope { Name = "meter", Version = "2.0" } };
        var gauge = new Metric { Name = "temperature", Unit = "Cel", Description = "a gauge", Gauge = new Gauge() };
        var sum = new Metric { Name = "requests", Unit = "{request}", Sum = new Sum { AggregationTemporality = AggregationTemporality.Cumulative, IsMonotonic = true } };
        var histogram = new Metric { Name = "latency", Unit = "ms", Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Delta } };
        var exponential = new Metric { Name = "size", Unit = "By", ExponentialHistogram = new ExponentialHistogram { AggregationTemporality = AggregationTemporality.Delta } };
        var summary = new Metric { Name = "duration", Unit = "s", Summary = new Summary() };
        for (var i = 0; i < points; i++)
        {
            var at = t + (ulong)i * 1_000_000_000UL;
            gauge.Gauge.DataPoints.Add(new NumberDataPoint { TimeUnixNano = at, AsDouble = 21.5 + i, Attributes = { Attr("room", $"r{i}") } });
            sum.Sum.DataPoints.Add(new NumberDataPoint { StartTimeUnixNano = start, TimeUnixNano = at, AsInt = 100 + i });
            histogram.Histogram.DataPoints.Add(new HistogramDataPoint
            {
                StartTimeUnixNano = start, TimeUnixNano = at, Count = 6, Sum = 0, Min = 0, Max = 9.5,
                BucketCounts = { 1, 2, 3 }, ExplicitBounds = { 1.0, 5.0 },
                Exemplars = { new Exemplar { TimeUnixNano = at, AsDouble = 4.2, TraceId = TraceId(7), SpanId = SpanId(8) } },
            });
            exponential.ExponentialHistogram.DataPoints.Add(new ExponentialHistogramDataPoint
            {
                StartTimeUnixNano = start, TimeUnixNano = at, Count = 7, Sum = 12.5, Scale = 3, ZeroCount = 1, ZeroThreshold = 0.001,
                Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -2, BucketCounts = { 1, 2 } },
                Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 1, BucketCounts = { 3 } },
            });
            summary.Summary.DataPoints.Add(new SummaryDataPoint
            {
                StartTimeUnixNano = start, TimeUnixNano = at, Count = 10, Sum = 55,
                QuantileValues =
                {
                    new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 5 },
                    new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.99, Value = 9.9 },
                },
            });
        }
        scope.Metrics.Add(new[] { gauge, sum, histogram, exponential, summary });
        return new MetricsData { ResourceMetrics = { new ResourceMetrics { Resource = Service("metrics-service"), ScopeMetrics = { scope } } } };
    }

    /// <summary>Every span of a traces document, in document order.</summary>
    public static List<Span> AllSpans(IEnumerable<ResourceSpans> resources) =>
        resources.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).ToList();
}
