using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Logs.V1;

namespace Oteleport.Signals;

internal sealed class LogShape : ResourceScopeShape<LogsData, ResourceLogs, ScopeLogs, LogRecord>
{
    public static readonly LogShape Instance = new();

    public override SignalType Signal => SignalType.Logs;
    protected override RepeatedField<ResourceLogs> ResourcesOf(LogsData data) => data.ResourceLogs;
    protected override RepeatedField<ScopeLogs> ScopesOf(ResourceLogs resource) => resource.ScopeLogs;
    protected override RepeatedField<LogRecord> ItemsOf(ScopeLogs scope) => scope.LogRecords;
    // The event time when known, else when the collection system observed it.
    protected override ulong TimeOf(LogRecord log) => log.TimeUnixNano != 0 ? log.TimeUnixNano : log.ObservedTimeUnixNano;
    protected override ResourceLogs EmptyCopy(ResourceLogs r) => new() { Resource = r.Resource, SchemaUrl = r.SchemaUrl };
    protected override ScopeLogs EmptyCopy(ScopeLogs s) => new() { Scope = s.Scope, SchemaUrl = s.SchemaUrl };
}
