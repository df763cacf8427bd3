using Oteleport.Signals;

namespace Oteleport.Storage.Writing;

/// <summary>
/// Group commit: concurrent appends of one signal and partition share one object. A lane per
/// (signal, partition) keeps an open batch and normally one write in flight; a batch is written when its
/// oldest records have waited <see cref="FlushInterval"/>, when it reaches <see cref="MaxBatchRecords"/>,
/// or at shutdown. Records that arrive while a write is in flight join the next batch, so even with a
/// zero interval a busy partition writes far fewer objects than it receives requests. A write that is
/// slow (a stalled fsync or PUT: longer than <see cref="SlowWrite"/>) does not hold the next batches back:
/// up to <see cref="MaxWritesInFlight"/> writes of a lane may then be in flight. Each append completes
/// when the object holding its records is stored, and fails with the write's error otherwise.
/// </summary>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    /// <summary>Encodes and stores one batch as one object.</summary>
    public delegate Task WriteBatch(SignalType signal, string partition, IReadOnlyList<EncodedFragment> fragments, int recordCount, CancellationToken cancellationToken);

    private readonly Dictionary<(SignalType, string), Lane> _lanes = new();
    private readonly WriteBatch _write;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _shutdown = new();
    private bool _disposed;

    public GroupCommitWriter(WriteBatch write, TimeSpan flushInterval, int maxBatchRecords, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(flushInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchRecords, 1);
        _write = write;
        FlushInterval = flushInterval;
        MaxBatchRecords = maxBatchRecords;
        _time = time;
    }

    public TimeSpan FlushInterval { get; }

    /// <summary>Writes of one lane in flight at most.</summary>
    public const int MaxWritesInFlight = 4;

    /// <summary>How long a write may take before the next batch is written beside it: the interval, at least 20 ms.</summary>
    public TimeSpan SlowWrite => FlushInterval > TimeSpan.FromMilliseconds(20) ? FlushInterval : TimeSpan.FromMilliseconds(20);

    public int MaxBatchRecords { get; }

    /// <summary>Adds encoded records to their partition's batch (the batch owns the fragment from now on); completes when they are stored.</summary>
    public Task AppendAsync(SignalType signal, string partition, EncodedFragment fragment, CancellationToken cancellationToken)
    {
        Batch batch;
        lock (_lanes)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_lanes.TryGetValue((signal, partition), out var lane))
            {
                _lanes[(signal, partition)] = lane = new Lane(signal, partition);
            }
            if (lane.Open is null)
            {
                lane.Open = new Batch(_time.GetTimestamp());
                lane.Opened.TrySetResult();
            }
            batch = lane.Open;
            batch.Fragments.Add(fragment);
            batch.RecordCount += fragment.RecordCount;
            if (batch.RecordCount >= MaxBatchRecords)
            {
                batch.Full.TrySetResult();
            }
            if (!lane.Writing)
            {
                lane.Writing = true;
                _ = Task.Run(() => RunLaneAsync(lane));
            }
        }
        // The records are committed to a batch whatever the caller does now; a caller that stops
        // waiting (a client gone) does not take them out.
        return batch.Stored.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Shutdown has begun: open batches are written now, and batches opened from here on are written at once
    /// instead of after the flush interval, so that Exports still arriving or waiting are acknowledged promptly.
    /// </summary>
    public void BeginDrain()
    {
        lock (_lanes)
        {
            if (_disposed)
            {
                return;
            }
        }
        _shutdown.Cancel();
    }

    /// <summary>Writes every open batch now and waits for all writes in flight.</summary>
    public async Task FlushAsync()
    {
        List<Task> pending;
        lock (_lanes)
        {
            pending = new List<Task>();
            foreach (var lane in _lanes.Values)
            {
                if (lane.Open is { } open)
                {
                    open.Full.TrySetResult(); // no more waiting for the interval
                    pending.Add(open.Stored.Task);
                }
                foreach (var inFlight in lane.InFlight)
                {
                    pending.Add(inFlight.Stored.Task);
                }
            }
        }
        try
        {
            await Task.WhenAll(pending).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            // each append saw its own failure; flushing only waits
        }
    }

    private async Task RunLaneAsync(Lane lane)
    {
        var writes = new List<(Task Task, long StartedAt)>();
        while (true)
        {
            Batch? batch;
            Task opened;
            lock (_lanes)
            {
                batch = lane.Open;
                if (batch is null)
                {
                    lane.Opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    if (writes.Count == 0)
                    {
                        // Idle: forget the lane, so partitions of past hours do not pile up.
                        lane.Writing = false;
                        _lanes.Remove((lane.Signal, lane.Partition));
                        return;
                    }
                }
                opened = lane.Opened.Task;
            }
            if (batch is null)
            {
                // Writes are in flight and nothing is open: wait for either.
                await Task.WhenAny(Task.WhenAny(writes.Select(w => w.Task)), opened).ConfigureAwait(false);
                writes.RemoveAll(w => w.Task.IsCompleted);
                continue;
            }
            if (FlushInterval > TimeSpan.Zero && !_shutdown.IsCancellationRequested)
            {
                var waited = _time.GetElapsedTime(batch.OpenedAt);
                if (waited < FlushInterval)
                {
                    await Task.WhenAny(Task.Delay(FlushInterval - waited, _time, _shutdown.Token), batch.Full.Task).ConfigureAwait(false);
                }
            }
            // A write slot: none in flight, or the oldest one is slow and there is room beside it.
            while (true)
            {
                writes.RemoveAll(w => w.Task.IsCompleted);
                if (writes.Count == 0)
                {
                    break;
                }
                var oldest = _time.GetElapsedTime(writes.Min(w => w.StartedAt));
                var room = writes.Count < MaxWritesInFlight;
                if (room && oldest >= SlowWrite)
                {
                    break;
                }
                var anyDone = Task.WhenAny(writes.Select(w => w.Task));
                if (room)
                {
                    await Task.WhenAny(anyDone, Task.Delay(SlowWrite - oldest, _time)).ConfigureAwait(false);
                }
                else
                {
                    await anyDone.ConfigureAwait(false);
                }
            }
            lock (_lanes)
            {
                batch = lane.Open;
                lane.Open = null;
                if (batch is not null)
                {
                    lane.InFlight.Add(batch);
                }
            }
            if (batch is not null)
            {
                writes.Add((WriteAsync(lane, batch), _time.GetTimestamp()));
            }
        }
    }

    /// <summary>Writes one batch and settles every append in it; never throws.</summary>
    private async Task WriteAsync(Lane lane, Batch batch)
    {
        Exception? failure = null;
        try
        {
            await _write(lane.Signal, lane.Partition, batch.Fragments, batch.RecordCount, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        foreach (var fragment in batch.Fragments)
        {
            fragment.Dispose(); // back to the pool, written or not
        }
        lock (_lanes)
        {
            lane.InFlight.Remove(batch);
        }
        if (failure is null)
        {
            batch.Stored.TrySetResult();
        }
        else
        {
            batch.Stored.TrySetException(failure is StorageUnavailableException ? failure : new StorageUnavailableException($"writing a batch failed: {failure.Message}", failure));
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_lanes)
        {
            if (_disposed)
            {
                return;
            }
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        lock (_lanes)
        {
            _disposed = true;
        }
        _shutdown.Dispose();
    }

    private sealed class Lane(SignalType signal, string partition)
    {
        public SignalType Signal { get; } = signal;
        public string Partition { get; } = partition;
        public Batch? Open { get; set; }
        public List<Batch> InFlight { get; } = new();
        /// <summary>Completed when a batch opens; renewed by the lane's runner before it waits for one.</summary>
        public TaskCompletionSource Opened { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool Writing { get; set; }
    }

    private sealed class Batch(long openedAt)
    {
        public long OpenedAt { get; } = openedAt;
        public List<EncodedFragment> Fragments { get; } = new();
        public int RecordCount { get; set; }
        public TaskCompletionSource Full { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
