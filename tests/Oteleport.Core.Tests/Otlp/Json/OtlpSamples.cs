using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>Fully populated OTLP messages for codec tests.</summary>
internal static class OtlpSamples
{
    public static readonly byte[] TraceId = Convert.FromHexString("5B8EFFF798038103D269B633813FC60C");
    public static readonly byte[] SpanId = Convert.FromHexString("EEE19B7EC3C1B174");
    public static readonly byte[] ParentSpanId = Convert.FromHexString("EEE19B7EC3C1B173");

    public static KeyValue Attr(string key, AnyValue value) => new() { Key = key, Value = value };

    public static AnyValue Str(string value) => new() { StringValue = value };

    public static AnyValue Int(long value) => new() { IntValue = value };

    /// <summary>Attributes covering every AnyValue kind, including nesting, defaults and bytes.</summary>
    public static IEnumerable<KeyValue> EveryAnyValueKind() =>
    [
        Attr("str", Str("hello ✓ \"quoted\" <tag>")),
        Attr("empty.str", Str("")),
        Attr("bool.true", new AnyValue { BoolValue = true }),
        Attr("bool.false", new AnyValue { BoolValue = false }),
        Attr("int", Int(-9_007_199_254_740_993)),
        Attr("int.zero", Int(0)),
        Attr("double", new AnyValue { DoubleValue = 3.25 }),
        Attr("double.zero", new AnyValue { DoubleValue = 0 }),
        Attr("double.nan", new AnyValue { DoubleValue = double.NaN }),
        Attr("double.inf", new AnyValue { DoubleValue = double.NegativeInfinity }),
        Attr("bytes", new AnyValue { BytesValue = ByteString.CopyFrom(0x00, 0xFB, 0xFF, 0x10) }),
        Attr("array", new AnyValue
        {
            ArrayValue = new ArrayValue
            {
                Values =
                {
                    Str("a"),
                    Int(2),
                    new AnyValue { ArrayValue = new ArrayValue { Values = { Int(3), new AnyValue { BoolValue = true } } } },
                    new AnyValue(), // a value with nothing set
                },
            },
        }),
        Attr("kvlist", new AnyValue
        {
            KvlistValue = new KeyValueList
            {
                Values =
                {
                    Attr("inner", Str("x")),
                    Attr("deeper", new AnyValue { KvlistValue = new KeyValueList { Values = { Attr("n", Int(7)) } } }),
                },
            },
        }),
        Attr("empty.array", new AnyValue { ArrayValue = new ArrayValue() }),
    ];

    public static Resource Resource() => new()
    {
        Attributes = { Attr("service.name", Str("checkout")), Attr("host.cores", Int(8)) },
        DroppedAttributesCount = 1,
    };

    public static InstrumentationScope Scope() => new()
    {
        Name = "my.library",
        Version = "1.0.0",
        Attributes = { Attr("scope.attr", Str("v")) },
    };

    public static TracesData Traces()
    {
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(SpanId),
            ParentSpanId = ByteString.CopyFrom(ParentSpanId),
            TraceState = "congo=t61rcWkgMzE",
            Flags = 0x301,
            Name = "GET /checkout",
            Kind = Span.Types.SpanKind.Server,
            StartTimeUnixNano = 1_544_712_660_000_000_000,
            EndTimeUnixNano = 1_544_712_661_000_000_000,
            DroppedAttributesCount = 2,
            Events =
            {
                new Span.Types.Event
                {
                    TimeUnixNano = 1_544_712_660_500_000_000,
                    Name = "exception",
                    Attributes = { Attr("exception.message", Str("boom")) },
                    DroppedAttributesCount = 3,
                },
                new Span.Types.Event { Name = "bare" },
            },
            DroppedEventsCount = 4,
            Links =
            {
                new Span.Types.Link
                {
                    TraceId = ByteString.CopyFrom(TraceId.Reverse().ToArray()),
                    SpanId = ByteString.CopyFrom(ParentSpanId),
                    TraceState = "a=b",
                    Attributes = { Attr("link.kind", Str("follows")) },
                    DroppedAttributesCount = 5,
                    Flags = 0x100,
                },
            },
            DroppedLinksCount = 6,
            Status = new Status { Code = Status.Types.StatusCode.Error, Message = "failed" },
        };
        span.Attributes.AddRange(EveryAnyValueKind());

        var root = new Span
        {
            TraceId = ByteString.CopyFrom(TraceId),
            SpanId = ByteString.CopyFrom(ParentSpanId),
            Name = "root",
            Kind = Span.Types.SpanKind.Internal,
            StartTimeUnixNano = 1_544_712_659_000_000_000,
            EndTimeUnixNano = 1_544_712_662_000_000_000,
            Status = new Status(), // set but empty: written as {}
        };

        return new TracesData
        {
            ResourceSpans =
            {
                new ResourceSpans
                {
                    Resource = Resource(),
                    SchemaUrl = "https://opentelemetry.io/schemas/1.24.0",
                    ScopeSpans =
                    {
                        new ScopeSpans { Scope = Scope(), Spans = { root, span }, SchemaUrl = "https://opentelemetry.io/schemas/1.24.0" },
                    },
                },
            },
        };
    }

    public static MetricsData Metrics()
    {
        var attrs = new[] { Attr("my.metric.attr", Str("v")) };
        const ulong Start = 1_544_712_660_000_000_000;
        const ulong Time = 1_544_712_661_000_000_000;

        var gauge = new Metric
        {
            Name = "my.gauge",
            Unit = "1",
            Description = "I am a Gauge",
            Gauge = new Gauge
            {
                DataPoints =
                {
                    new NumberDataPoint { AsDouble = 10.5, TimeUnixNano = Time, Attributes = { attrs } },
                    new NumberDataPoint { AsDouble = 0, TimeUnixNano = Time }, // oneof at default: still written
                },
            },
        };
        var sum = new Metric
        {
            Name = "my.counter",
            Unit = "1",
            Sum = new Sum
            {
                AggregationTemporality = AggregationTemporality.Cumulative,
                IsMonotonic = true,
                DataPoints =
                {
                    new NumberDataPoint
                    {
                        AsInt = 5,
                        StartTimeUnixNano = Start,
                        TimeUnixNano = Time,
                        Attributes = { attrs },
                        Flags = 1,
                        Exemplars =
                        {
                            new Exemplar
                            {
                                AsInt = 2,
                                TimeUnixNano = Time,
                                TraceId = ByteString.CopyFrom(TraceId),
                                SpanId = ByteString.CopyFrom(SpanId),
                                FilteredAttributes = { Attr("user", Str("u1")) },
                            },
                        },
                    },
                },
            },
        };
        var histogram = new Metric
        {
            Name = "my.histogram",
            Unit = "ms",
            Histogram = new Histogram
            {
                AggregationTemporality = AggregationTemporality.Delta,
                DataPoints =
                {
                    new HistogramDataPoint
                    {
                        StartTimeUnixNano = Start,
                        TimeUnixNano = Time,
                        Count = 2,
                        Sum = 0, // optional fields set to 0 must survive
                        Min = 0,
                        Max = 0,
                        BucketCounts = { 1, 1, 0 },
                        ExplicitBounds = { 1, 2.5 },
                        Attributes = { attrs },
                        Exemplars = { new Exemplar { AsDouble = 1.5, TimeUnixNano = Time } },
                    },
                    new HistogramDataPoint { TimeUnixNano = Time, Count = 0 }, // sum/min/max not set
                },
            },
        };
        var exponential = new Metric
        {
            Name = "my.exponential.histogram",
            Unit = "s",
            ExponentialHistogram = new ExponentialHistogram
            {
                AggregationTemporality = AggregationTemporality.Cumulative,
                DataPoints =
                {
                    new ExponentialHistogramDataPoint
                    {
                        StartTimeUnixNano = Start,
                        TimeUnixNano = Time,
                        Count = 9,
                        Sum = -12.75,
                        Scale = -3,
                        ZeroCount = 1,
                        ZeroThreshold = 1e-9,
                        Positive = new ExponentialHistogramDataPoint.Types.Buckets { Offset = -2, BucketCounts = { 1, 0, 3 } },
                        Negative = new ExponentialHistogramDataPoint.Types.Buckets { Offset = 4, BucketCounts = { 2, ulong.MaxValue } },
                        Min = -8,
                        Max = 4.5,
                        Flags = 0,
                        Attributes = { attrs },
                    },
                },
            },
        };
        var summary = new Metric
        {
            Name = "my.summary",
            Unit = "ms",
            Summary = new Summary
            {
                DataPoints =
                {
                    new SummaryDataPoint
                    {
                        StartTimeUnixNano = Start,
                        TimeUnixNano = Time,
                        Count = 4,
                        Sum = 10.5,
                        QuantileValues =
                        {
                            new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0, Value = 1 },
                            new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 0.5, Value = 2.5 },
                            new SummaryDataPoint.Types.ValueAtQuantile { Quantile = 1, Value = 5 },
                        },
                    },
                },
            },
        };

        return new MetricsData
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = Resource(),
                    ScopeMetrics =
                    {
                        new ScopeMetrics { Scope = Scope(), Metrics = { gauge, sum, histogram, exponential, summary } },
                    },
                },
            },
        };
    }

    public static LogsData Logs() => new()
    {
        ResourceLogs =
        {
            new ResourceLogs
            {
                Resource = Resource(),
                ScopeLogs =
                {
                    new ScopeLogs
                    {
                        Scope = Scope(),
                        LogRecords =
                        {
                            new LogRecord
                            {
                                TimeUnixNano = 1_544_712_660_300_000_000,
                                ObservedTimeUnixNano = 1_544_712_660_300_000_001,
                                SeverityNumber = SeverityNumber.Warn2,
                                SeverityText = "WARN",
                                TraceId = ByteString.CopyFrom(TraceId),
                                SpanId = ByteString.CopyFrom(SpanId),
                                Flags = 1,
                                EventName = "checkout.slow",
                                Body = Str("Example log record"),
                                Attributes = { EveryAnyValueKind() },
                                DroppedAttributesCount = 1,
                            },
                            new LogRecord
                            {
                                ObservedTimeUnixNano = 1_544_712_660_400_000_000,
                                SeverityNumber = (SeverityNumber)42, // unknown numbers are kept
                                Body = new AnyValue { KvlistValue = new KeyValueList { Values = { Attr("k", Int(1)) } } },
                            },
                        },
                    },
                },
            },
        },
    };
}
