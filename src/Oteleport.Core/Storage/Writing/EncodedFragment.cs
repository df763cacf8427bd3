namespace Oteleport.Storage.Writing;

/// <summary>
/// The records of one append for one partition, already encoded by the receiving thread: the elements of
/// a document's resource list separated by commas, or flatten lines separated by newlines. Large fragments
/// are gzip-compressed there too, as a gzip member of their own (see <see cref="ObjectFormat.Assemble"/>).
/// The group commit only concatenates them, so a batch's write does little work of its own.
/// </summary>
internal sealed class EncodedFragment(PooledBuffer content, int recordCount, bool compressed) : IDisposable
{
    public PooledBuffer Content { get; } = content;
    public int RecordCount { get; } = recordCount;
    /// <summary>True: <see cref="Content"/> is one complete gzip member.</summary>
    public bool Compressed { get; } = compressed;

    /// <summary>The records the fragment holds, kept (when summaries are on) to summarise the batch's object.</summary>
    public IReadOnlyList<Oteleport.Signals.SignalRecord>? Records { get; set; }

    public void Dispose() => Content.Dispose();
}
