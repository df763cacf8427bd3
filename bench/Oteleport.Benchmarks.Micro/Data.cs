using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Signals;

namespace Oteleport.Benchmarks.Micro;

/// <summary>A batch as the group commit sees it at full load: 1,000 spans of 10 attributes in 10 Export requests.</summary>
public static class Data
{
    public const int Spans = 1000;

    public static TracesData Traces(int spans = Spans, int attributes = 10)
    {
        var random = new Random(42);
        var data = new TracesData();
        ScopeSpans? scope = null;
        for (var i = 0; i < spans; i++)
        {
            if (i % 100 == 0)
            {
                scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
                data.ResourceSpans.Add(new ResourceSpans
                {
                    Resource = new Resource { Attributes = { Str("service.name", "checkout"), Str("service.version", "1.4.2"), Str("host.name", "bench-host-01") } },
                    ScopeSpans = { scope },
                    SchemaUrl = "https://opentelemetry.io/schemas/1.26.0",
                });
            }
            var start = 1_732_000_000_000_000_000UL + (ulong)i * 1_000_000;
            var span = new Span
            {
                TraceId = Bytes(random, 16),
                SpanId = Bytes(random, 8),
                ParentSpanId = i % 4 == 0 ? ByteString.Empty : Bytes(random, 8),
                Name = i % 2 == 0 ? "GET /api/orders/{id}" : "SELECT orders",
                Kind = i % 2 == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                StartTimeUnixNano = start,
                EndTimeUnixNano = start + 1_500_000,
                Status = new Status { Code = Status.Types.StatusCode.Ok },
            };
            for (var a = 0; a < attributes; a++)
            {
                span.Attributes.Add((a % 3) switch
                {
                    0 => Str($"http.attribute.{a}", $"value-{a}-{random.Next(1000)}"),
                    1 => new KeyValue { Key = $"app.counter.{a}", Value = new AnyValue { IntValue = random.Next(100_000) } },
                    _ => Str($"db.statement.{a}", "SELECT id, total FROM orders WHERE id = @id"),
                });
            }
            if (i % 10 == 0)
            {
                span.Events.Add(new Span.Types.Event { Name = "exception", TimeUnixNano = start + 10, Attributes = { Str("exception.type", "System.TimeoutException") } });
            }
            scope!.Spans.Add(span);
        }
        return data;
    }

    internal static List<SignalRecord> Records(TracesData data)
    {
        var records = new List<SignalRecord>();
        TraceShape.Instance.Collect(data, records);
        return records;
    }

    private static KeyValue Str(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private static ByteString Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }
}
