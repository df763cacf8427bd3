using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Signals;
using Oteleport.Storage.Flatten;

namespace Oteleport.Core.Tests.Otlp.Json;

/// <summary>The hand-written writer of the trace messages writes exactly what the generic, descriptor-driven one does.</summary>
public class OtlpJsonTraceWriterTests
{
    private static string Generic(IMessage message)
    {
        OtlpJsonWriter.t_genericOnly = true;
        try
        {
            return Encoding.UTF8.GetString(OtlpJson.Serialize(message));
        }
        finally
        {
            OtlpJsonWriter.t_genericOnly = false;
        }
    }

    private static string Fast(IMessage message) => Encoding.UTF8.GetString(OtlpJson.Serialize(message));

    private static void SameBytes(IMessage message) => Fast(message).Should().Be(Generic(message));

    [Test]
    public void Random_trace_documents_are_byte_identical([Range(1, 40)] int seed)
    {
        SameBytes(RandomTraces(new Random(seed)));
    }

    [Test]
    public void Empty_and_default_valued_messages_are_byte_identical()
    {
        SameBytes(new Span());
        SameBytes(new KeyValue());
        SameBytes(new AnyValue());
        SameBytes(new Resource());
        SameBytes(new InstrumentationScope());
        SameBytes(new Span { Status = new Status(), Events = { new Span.Types.Event() }, Links = { new Span.Types.Link() } });
        // Set oneof members holding their type's default are still written.
        SameBytes(new AnyValue { StringValue = "" });
        SameBytes(new AnyValue { BoolValue = false });
        SameBytes(new AnyValue { IntValue = 0 });
        SameBytes(new AnyValue { DoubleValue = 0 });
        SameBytes(new AnyValue { DoubleValue = -0.0 });
        SameBytes(new AnyValue { BytesValue = ByteString.Empty });
        SameBytes(new AnyValue { ArrayValue = new ArrayValue() });
        SameBytes(new AnyValue { KvlistValue = new KeyValueList() });
    }

    [Test]
    public void Special_values_are_byte_identical()
    {
        foreach (var d in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, double.MaxValue, 1e-300, 0.1 })
        {
            SameBytes(new AnyValue { DoubleValue = d });
        }
        SameBytes(new AnyValue { IntValue = long.MinValue });
        SameBytes(new AnyValue { IntValue = long.MaxValue });
        SameBytes(new Span { StartTimeUnixNano = ulong.MaxValue, Flags = uint.MaxValue, Kind = (Span.Types.SpanKind)99, Status = new Status { Code = (Status.Types.StatusCode)(-1) } });
        SameBytes(new KeyValue { Key = "quote \" backslash \\ newline \n tab \t nul \0 non-ASCII é 日本 emoji 😀 <script>", Value = new AnyValue { StringValue = "\u2028\u2029 & ' <>" } });
        SameBytes(new Span { TraceId = ByteString.CopyFrom(1, 2, 3), SpanId = ByteString.CopyFrom(new byte[300]) });
    }

    [Test]
    public void Flatten_lines_and_fetch_responses_are_byte_identical()
    {
        var traces = RandomTraces(new Random(7));
        var records = new List<SignalRecord>();
        TraceShape.Instance.Collect(traces, records);
        foreach (var record in records)
        {
            SameBytes(FlattenRecords.ToFlatten(SignalType.Traces, record));
        }
        var response = new FetchTracesDataResponse { NextCursor = "abc", HasMore = true };
        response.ResourceSpans.Add(traces.ResourceSpans);
        SameBytes(response);
    }

    internal static TracesData RandomTraces(Random random)
    {
        var data = new TracesData();
        for (var r = 0; r < random.Next(1, 3); r++)
        {
            var resource = new ResourceSpans { Resource = new Resource { Attributes = { Attributes(random, 3) }, DroppedAttributesCount = (uint)random.Next(2) }, SchemaUrl = random.Next(2) == 0 ? "" : "https://opentelemetry.io/schemas/1.26.0" };
            if (random.Next(4) == 0)
            {
                resource.Resource.EntityRefs.Add(new EntityRef { Type = "service", IdKeys = { "service.name" }, SchemaUrl = "s" });
            }
            for (var s = 0; s < random.Next(1, 3); s++)
            {
                var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "lib", Version = random.Next(2) == 0 ? "" : "1.0", Attributes = { Attributes(random, 2) }, DroppedAttributesCount = (uint)random.Next(2) } };
                for (var i = 0; i < random.Next(0, 6); i++)
                {
                    scope.Spans.Add(RandomSpan(random));
                }
                resource.ScopeSpans.Add(scope);
            }
            data.ResourceSpans.Add(resource);
        }
        return data;
    }

    private static Span RandomSpan(Random random)
    {
        var span = new Span
        {
            TraceId = Bytes(random, random.Next(3) == 0 ? 0 : 16),
            SpanId = Bytes(random, 8),
            ParentSpanId = Bytes(random, random.Next(2) == 0 ? 0 : 8),
            TraceState = random.Next(3) == 0 ? "k=v" : "",
            Flags = (uint)random.Next(3) * 0x101,
            Name = random.Next(5) == 0 ? "" : "span " + random.Next(100),
            Kind = (Span.Types.SpanKind)random.Next(6),
            StartTimeUnixNano = (ulong)random.NextInt64(),
            EndTimeUnixNano = random.Next(4) == 0 ? 0 : (ulong)random.NextInt64(),
            DroppedAttributesCount = (uint)random.Next(2),
            DroppedEventsCount = (uint)random.Next(2),
            DroppedLinksCount = (uint)random.Next(2),
            Status = random.Next(3) switch
            {
                0 => null,
                1 => new Status { Code = (Status.Types.StatusCode)random.Next(3) },
                _ => new Status { Message = "failed", Code = Status.Types.StatusCode.Error },
            },
        };
        span.Attributes.Add(Attributes(random, random.Next(0, 12)));
        for (var e = 0; e < random.Next(0, 3); e++)
        {
            span.Events.Add(new Span.Types.Event { Name = "event", TimeUnixNano = (ulong)random.Next(), Attributes = { Attributes(random, 2) }, DroppedAttributesCount = (uint)random.Next(2) });
        }
        for (var l = 0; l < random.Next(0, 3); l++)
        {
            span.Links.Add(new Span.Types.Link { TraceId = Bytes(random, 16), SpanId = Bytes(random, 8), TraceState = random.Next(2) == 0 ? "" : "a=b", Flags = (uint)random.Next(2), Attributes = { Attributes(random, 1) }, DroppedAttributesCount = (uint)random.Next(2) });
        }
        return span;
    }

    private static IEnumerable<KeyValue> Attributes(Random random, int count) =>
        Enumerable.Range(0, count).Select(i => new KeyValue { Key = random.Next(8) == 0 ? "" : $"key.{i}", Value = random.Next(10) == 0 ? null : Value(random, 2) });

    private static AnyValue Value(Random random, int depth)
    {
        switch (random.Next(depth > 0 ? 9 : 6))
        {
            case 0: return new AnyValue { StringValue = random.Next(4) == 0 ? "" : "text é " + random.Next() };
            case 1: return new AnyValue { BoolValue = random.Next(2) == 0 };
            case 2: return new AnyValue { IntValue = random.NextInt64(long.MinValue, long.MaxValue) };
            case 3: return new AnyValue { DoubleValue = random.NextDouble() * 1e6 - 5e5 };
            case 4: return new AnyValue { BytesValue = Bytes(random, random.Next(0, 5)) };
            case 5: return new AnyValue();
            case 6:
            case 7:
                var array = new ArrayValue();
                for (var i = 0; i < random.Next(0, 4); i++)
                {
                    array.Values.Add(Value(random, depth - 1));
                }
                return new AnyValue { ArrayValue = array };
            default:
                var list = new KeyValueList();
                list.Values.Add(Attributes(random, random.Next(0, 3)).Select(kv => { kv.Value = Value(random, depth - 1); return kv; }));
                return new AnyValue { KvlistValue = list };
        }
    }

    private static ByteString Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return ByteString.CopyFrom(bytes);
    }
}
