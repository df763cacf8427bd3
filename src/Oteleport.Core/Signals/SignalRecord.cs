using Google.Protobuf;

namespace Oteleport.Signals;

/// <summary>
/// One record (span, data point, log record) with the containers it came from. Records of one
/// document share container instances, which is how <see cref="ISignalShape{TData}.Build"/> regroups them.
/// </summary>
/// <param name="Resource">The ResourceSpans / ResourceMetrics / ResourceLogs it belongs to.</param>
/// <param name="Scope">The ScopeSpans / ScopeMetrics / ScopeLogs it belongs to.</param>
/// <param name="Metric">The Metric of a data point; null for spans and logs.</param>
/// <param name="Item">The Span, a data point message, or the LogRecord.</param>
/// <param name="TimeUnixNano">The record's own time (what partitions and time filters use), 0 when it has none.</param>
internal readonly record struct SignalRecord(IMessage Resource, IMessage Scope, IMessage? Metric, IMessage Item, ulong TimeUnixNano);

/// <summary>How one signal's documents split into records and are rebuilt from them.</summary>
internal interface ISignalShape<TData> where TData : IMessage<TData>, new()
{
    SignalType Signal { get; }

    /// <summary>Appends the document's records, in document order.</summary>
    void Collect(TData data, List<SignalRecord> records);

    /// <summary>Rebuilds a document; consecutive records with the same containers share them.</summary>
    TData Build(IEnumerable<SignalRecord> records);
}
