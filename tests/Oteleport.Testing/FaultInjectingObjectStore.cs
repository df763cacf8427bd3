using Oteleport.Storage;

namespace Oteleport.Testing;

/// <summary>
/// A real object store with switches in front of its writes: hold them until released, or fail them
/// the way an outage does. Counts the objects written and read.
/// </summary>
public sealed class FaultInjectingObjectStore(IObjectStore inner) : IObjectStore
{
    private TaskCompletionSource _gate = Open();
    private int _puts;
    private int _gets;

    public bool FailWrites { get; set; }

    public int PutCount => Volatile.Read(ref _puts);

    /// <summary>Objects opened for reading (summaries not counted).</summary>
    public int GetCount => Volatile.Read(ref _gets);

    public void HoldWrites() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void ReleaseWrites() => _gate.TrySetResult();

    /// <summary>Writes begun, held ones included.</summary>
    public int PutsStarted => Volatile.Read(ref _started);

    private int _started;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _started);
        await _gate.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (FailWrites)
        {
            throw new StorageUnavailableException("injected outage");
        }
        await inner.PutAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _puts);
    }

    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, startAfter, cancellationToken);

    public Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _gets);
        return inner.GetAsync(key, cancellationToken);
    }

    public Task<string?> GetSummaryAsync(string key, CancellationToken cancellationToken = default) => inner.GetSummaryAsync(key, cancellationToken);

    public Task CheckAsync(CancellationToken cancellationToken = default) => inner.CheckAsync(cancellationToken);

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
