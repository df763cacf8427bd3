using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Resource.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Benchmarks.Load;

/// <summary>Export requests shaped like an instrumented HTTP service's: one resource, one scope, N spans of M attributes.</summary>
internal sealed class RequestFactory
{
    private readonly int _spans;
    private readonly int _attributes;
    private readonly Random _random;
    private long _sequence;

    public RequestFactory(int spansPerRequest, int attributesPerSpan, int seed)
    {
        _spans = spansPerRequest;
        _attributes = attributesPerSpan;
        _random = new Random(seed);
        Request = Build();
    }

    /// <summary>The sender's own request, refreshed in place by <see cref="Refresh"/>.</summary>
    public ExportTraceServiceRequest Request { get; }

    private ExportTraceServiceRequest Build()
    {
        var resource = new Resource
        {
            Attributes =
            {
                Attr("service.name", "checkout"),
                Attr("service.version", "1.4.2"),
                Attr("host.name", "bench-host-01"),
                Attr("telemetry.sdk.language", "dotnet"),
            },
        };
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Microsoft.AspNetCore", Version = "10.0.0" } };
        for (var i = 0; i < _spans; i++)
        {
            var span = new Span
            {
                Name = i % 2 == 0 ? "GET /api/orders/{id}" : "SELECT orders",
                Kind = i % 2 == 0 ? Span.Types.SpanKind.Server : Span.Types.SpanKind.Client,
                Status = new Status { Code = Status.Types.StatusCode.Ok },
            };
            for (var a = 0; a < _attributes; a++)
            {
                span.Attributes.Add((a % 3) switch
                {
                    0 => Attr($"http.attribute.{a}", $"value-{a}-{_random.Next(1000)}"),
                    1 => new KeyValue { Key = $"app.counter.{a}", Value = new AnyValue { IntValue = _random.Next(100_000) } },
                    _ => Attr($"db.statement.{a}", "SELECT id, total FROM orders WHERE id = @id"),
                });
            }
            scope.Spans.Add(span);
        }
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(new ResourceSpans { Resource = resource, ScopeSpans = { scope }, SchemaUrl = "https://opentelemetry.io/schemas/1.26.0" });
        return request;
    }

    /// <summary>New ids and times (now), so that every Export carries distinct spans of the current hour.</summary>
    public ExportTraceServiceRequest Refresh()
    {
        var now = (ulong)(DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
        Span<byte> id = stackalloc byte[16];
        _random.NextBytes(id);
        var traceId = ByteString.CopyFrom(id);
        foreach (var span in Request.ResourceSpans[0].ScopeSpans[0].Spans)
        {
            var n = ++_sequence;
            BitConverter.TryWriteBytes(id, n);
            span.TraceId = traceId;
            span.SpanId = ByteString.CopyFrom(id[..8]);
            span.StartTimeUnixNano = now;
            span.EndTimeUnixNano = now + 1_500_000;
        }
        return Request;
    }

    private static KeyValue Attr(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };
}
