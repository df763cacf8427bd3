using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Signals;

internal sealed class TraceShape : ResourceScopeShape<TracesData, ResourceSpans, ScopeSpans, Span>
{
    public static readonly TraceShape Instance = new();

    public override SignalType Signal => SignalType.Traces;
    protected override RepeatedField<ResourceSpans> ResourcesOf(TracesData data) => data.ResourceSpans;
    protected override RepeatedField<ScopeSpans> ScopesOf(ResourceSpans resource) => resource.ScopeSpans;
    protected override RepeatedField<Span> ItemsOf(ScopeSpans scope) => scope.Spans;
    // Span start; a span without one falls back to its end.
    protected override ulong TimeOf(Span span) => span.StartTimeUnixNano != 0 ? span.StartTimeUnixNano : span.EndTimeUnixNano;
    protected override ResourceSpans EmptyCopy(ResourceSpans r) => new() { Resource = r.Resource, SchemaUrl = r.SchemaUrl };
    protected override ScopeSpans EmptyCopy(ScopeSpans s) => new() { Scope = s.Scope, SchemaUrl = s.SchemaUrl };
}
