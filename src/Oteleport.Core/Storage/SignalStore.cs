using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cursor;
using Oteleport.Options;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Query;
using Oteleport.Signals;
using Oteleport.Storage.Flatten;
using Oteleport.Storage.Reading;
using Oteleport.Storage.Writing;

namespace Oteleport.Storage;

/// <summary>The <see cref="ISignalStore"/> over an <see cref="IObjectStore"/>.</summary>
internal sealed partial class SignalStore : ISignalStore, IAsyncDisposable, IDisposable
{
    private readonly GroupCommitWriter _writer;
    private readonly IObjectStore _objects;
    private readonly ICursorCodec _cursors;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalStore> _logger;
    private readonly PartitionScheme _partitions;
    private readonly StorageOptions _storage;
    private readonly LimitOptions _limits;
    private readonly OteleportMetrics _metrics;
    private readonly System.IO.Compression.CompressionLevel _compression;
    private readonly DecodedObjectCache _decoded = new(DecodedCacheRecords);
    private readonly Dictionary<string, Task<List<SignalRecord>?>> _reading = new(StringComparer.Ordinal);

    /// <summary>Records of recently decoded objects kept for the next page (tens of MB at most for typical spans).</summary>
    internal const int DecodedCacheRecords = 20_000;

    public SignalStore(IObjectStore objects, ICursorCodec cursors, IOptions<OteleportOptions> options, TimeProvider time, OteleportMetrics metrics, ILogger<SignalStore> logger)
    {
        _objects = objects;
        _cursors = cursors;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _storage = options.Value.Storage;
        _limits = options.Value.Limits;
        _partitions = new PartitionScheme(TimeZoneInfo.FindSystemTimeZoneById(_storage.TimeZone));
        _compression = _storage.CompressionLevel switch
        {
            ObjectCompressionLevel.Optimal => System.IO.Compression.CompressionLevel.Optimal,
            ObjectCompressionLevel.Smallest => System.IO.Compression.CompressionLevel.SmallestSize,
            _ => System.IO.Compression.CompressionLevel.Fastest,
        };
        _writer = new GroupCommitWriter(WriteBatchAsync, _storage.FlushInterval, _storage.MaxBatchRecords, time);
    }

    /// <summary>Writes every pending batch now (shutdown).</summary>
    public Task FlushAsync() => _writer.FlushAsync();

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    // A container disposed synchronously must still write what is pending.
    public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public Task AppendTracesAsync(TracesData data, CancellationToken cancellationToken) => AppendAsync(TraceShape.Instance, data, cancellationToken);
    public Task AppendMetricsAsync(MetricsData data, CancellationToken cancellationToken) => AppendAsync(MetricShape.Instance, data, cancellationToken);
    public Task AppendLogsAsync(LogsData data, CancellationToken cancellationToken) => AppendAsync(LogShape.Instance, data, cancellationToken);

    public Task<FetchTracesDataResponse> FetchTracesAsync(FetchQuery query, CancellationToken cancellationToken) =>
        FetchTracesAsync(query, copy: true, cancellationToken);

    /// <summary>A page; without <paramref name="copy"/> it shares messages with the decoded-object cache and must only be read (serialized).</summary>
    internal async Task<FetchTracesDataResponse> FetchTracesAsync(FetchQuery query, bool copy, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(TraceShape.Instance, query, copy, cancellationToken).ConfigureAwait(false);
        var response = new FetchTracesDataResponse { NextCursor = page.NextCursor, HasMore = page.HasMore };
        response.ResourceSpans.Add(page.Data.ResourceSpans);
        return response;
    }

    public Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchQuery query, CancellationToken cancellationToken) =>
        FetchMetricsAsync(query, copy: true, cancellationToken);

    /// <summary>A page; without <paramref name="copy"/> it shares messages with the decoded-object cache and must only be read (serialized).</summary>
    internal async Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchQuery query, bool copy, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(MetricShape.Instance, query, copy, cancellationToken).ConfigureAwait(false);
        var response = new FetchMetricsDataResponse { NextCursor = page.NextCursor, HasMore = page.HasMore };
        response.ResourceMetrics.Add(page.Data.ResourceMetrics);
        return response;
    }

    public Task<FetchLogsDataResponse> FetchLogsAsync(FetchQuery query, CancellationToken cancellationToken) =>
        FetchLogsAsync(query, copy: true, cancellationToken);

    /// <summary>A page; without <paramref name="copy"/> it shares messages with the decoded-object cache and must only be read (serialized).</summary>
    internal async Task<FetchLogsDataResponse> FetchLogsAsync(FetchQuery query, bool copy, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(LogShape.Instance, query, copy, cancellationToken).ConfigureAwait(false);
        var response = new FetchLogsDataResponse { NextCursor = page.NextCursor, HasMore = page.HasMore };
        response.ResourceLogs.Add(page.Data.ResourceLogs);
        return response;
    }

    // ---- write path ----

    private async Task AppendAsync<TData>(ISignalShape<TData> shape, TData data, CancellationToken cancellationToken)
        where TData : IMessage<TData>, new()
    {
        var records = new List<SignalRecord>();
        shape.Collect(data, records);
        if (records.Count == 0)
        {
            return;
        }
        var now = _time.GetUtcNow();
        // Each record goes to the hour of its own time; one without a time to the hour it arrived.
        var byPartition = new Dictionary<string, List<SignalRecord>>();
        var folders = new FolderCache(_partitions);
        foreach (var record in records)
        {
            var folder = record.TimeUnixNano != 0 ? folders.Of(record.TimeUnixNano) : _partitions.FolderOf(now);
            if (!byPartition.TryGetValue(folder, out var list))
            {
                byPartition[folder] = list = new List<SignalRecord>();
            }
            list.Add(record);
        }
        var writes = new Task[byPartition.Count];
        var i = 0;
        foreach (var (folder, partitionRecords) in byPartition)
        {
            // Encoded (and, when large, compressed) here, on the receiving thread: receivers encode in
            // parallel and a batch's write only concatenates.
            IMessage? document = _storage.Flatten ? null : shape.Build(partitionRecords);
            var fragment = ObjectFormat.EncodeFragment(shape.Signal, document, partitionRecords, _storage.Flatten, _storage.Gzip, _compression);
            writes[i++] = _writer.AppendAsync(shape.Signal, folder, fragment, cancellationToken);
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    /// <summary>
    /// The partition folder of record times, computed once per quarter hour rather than per record (the
    /// records of a request are mostly seconds apart). A quarter hour whose two ends fall in different
    /// folders (a zone offset that is not a whole quarter hour) is computed for each record.
    /// </summary>
    private struct FolderCache(PartitionScheme partitions)
    {
        private const ulong QuarterHour = 15UL * 60 * 1_000_000_000;
        private ulong _bucket = ulong.MaxValue;
        private string? _folder;

        public string Of(ulong unixNano)
        {
            var bucket = unixNano / QuarterHour;
            if (bucket != _bucket)
            {
                _bucket = bucket;
                var start = bucket * QuarterHour;
                var end = start + (QuarterHour - 1);
                var first = partitions.FolderOf(start);
                var last = partitions.FolderOf(end < start ? ulong.MaxValue : end); // the last quarter of the range wraps
                _folder = first == last ? first : null;
            }
            return _folder ?? partitions.FolderOf(unixNano);
        }
    }

    /// <summary>One group-commit batch becomes one object: flatten JSON lines or one OTLP document.</summary>
    private async Task WriteBatchAsync(SignalType signal, string folder, IReadOnlyList<EncodedFragment> fragments, int recordCount, CancellationToken cancellationToken)
    {
        using var content = ObjectFormat.Assemble(signal, fragments, _storage.Flatten, _storage.Gzip, _compression);
        var writtenAt = TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _partitions.Zone);
        await PutAsync(signal, folder, content.WrittenMemory, recordCount, writtenAt, cancellationToken).ConfigureAwait(false);
    }

    private async Task PutAsync(SignalType signal, string folder, ReadOnlyMemory<byte> content, int recordCount, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var key = SignalLayout.NewObjectKey(signal, folder, writtenAt, _storage.Gzip);
        var started = _time.GetTimestamp();
        try
        {
            await _objects.PutAsync(key, content, ObjectFormat.Metadata(_storage.Gzip), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            _metrics.WriteFailed(signal);
            throw;
        }
        _metrics.WriteDuration(signal, _time.GetElapsedTime(started));
        _metrics.ObjectWritten(signal, recordCount, content.Length);
        LogObjectWritten(key, recordCount, content.Length);
    }

    // ---- read path ----

    private readonly record struct Page<TData>(TData Data, string NextCursor, bool HasMore);

    private async Task<Page<TData>> FetchAsync<TData>(ISignalShape<TData> shape, FetchQuery query, bool copy, CancellationToken cancellationToken)
        where TData : IMessage<TData>, new()
    {
        var limit = ValidateLimit(query.Limit);
        if (query.StartTimeUnixNano == 0)
        {
            throw new FetchRequestException("startTimeUnixNano is required");
        }
        var end = query.EndTimeUnixNano != 0 ? query.EndTimeUnixNano : PartitionScheme.ToUnixNano(_time.GetUtcNow());
        if (query.StartTimeUnixNano > end)
        {
            throw new FetchRequestException(query.EndTimeUnixNano == 0
                ? "startTimeUnixNano is in the future"
                : "startTimeUnixNano is after endTimeUnixNano");
        }

        var fingerprint = Fingerprint(shape.Signal, query);
        var folders = _partitions.FoldersBetween(query.StartTimeUnixNano, end);
        var folderIndex = 0;
        CursorPosition? resume = null;
        if (!string.IsNullOrEmpty(query.Cursor))
        {
            resume = _cursors.Decode(query.Cursor);
            if (!CryptographicOperations.FixedTimeEquals(resume.QueryFingerprint, fingerprint))
            {
                throw new FetchRequestException("invalid cursor: it belongs to another query (signal, time range or filters differ)");
            }
            folderIndex = folders.IndexOf(resume.Partition);
            if (folderIndex < 0)
            {
                throw new FetchRequestException("invalid cursor: its partition is outside the time range");
            }
        }

        var selected = new List<SignalRecord>(Math.Min(limit, 4096));
        for (; folderIndex < folders.Count; folderIndex++)
        {
            var folder = folders[folderIndex];
            var prefix = SignalLayout.PartitionPrefix(shape.Signal, folder);
            var keys = ResumeKeys(prefix, resume?.Partition == folder ? resume : null, cancellationToken);
            var readAhead = new ReadAhead<TData>(this, shape, keys, _storage.ReadAhead, cancellationToken);
            await using (readAhead.ConfigureAwait(false))
            {
                // The records still wanted: the page's rest plus the one that tells whether more exist.
                while (await readAhead.NextAsync(limit + 1 - selected.Count).ConfigureAwait(false) is { } read)
                {
                    var (key, firstOffset, records) = read;
                    if (records is null)
                    {
                        continue;
                    }
                    for (var i = firstOffset; i < records.Count; i++)
                    {
                        var record = records[i];
                        if (!InRange(record, query.StartTimeUnixNano, end))
                        {
                            continue;
                        }
                        if (selected.Count == limit)
                        {
                            // The page is full and one more record exists: the cursor points at it, so
                            // hasMore is exact and the last page is never empty.
                            var next = _cursors.Encode(new CursorPosition(folder, key, i, fingerprint));
                            return new Page<TData>(BuildPage(shape, selected, copy), next, true);
                        }
                        selected.Add(record);
                    }
                }
            }
        }
        return new Page<TData>(BuildPage(shape, selected, copy), "", false);
    }

    /// <summary>The page, as a deep copy unless the caller only serializes it: its records may be shared with the decoded-object cache.</summary>
    private static TData BuildPage<TData>(ISignalShape<TData> shape, List<SignalRecord> selected, bool copy)
        where TData : IMessage<TData>, new() => copy ? shape.Build(selected).Clone() : shape.Build(selected);

    /// <summary>The keys of a partition to read, with the first record offset and listed size of each.</summary>
    private async IAsyncEnumerable<(string Key, int FirstOffset, long Size)> ResumeKeys(string prefix, CursorPosition? resume, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? startAfter = null;
        if (resume is not null)
        {
            yield return (resume.ObjectKey, resume.RecordOffset, 0);
            startAfter = resume.ObjectKey;
        }
        await foreach (var stored in _objects.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
        {
            yield return (stored.Key, 0, stored.Size);
        }
    }

    /// <summary>
    /// Reads the objects of a listing in order, up to <c>limit</c> of them at once (GET, gunzip, parse on
    /// the thread pool), but only as many ahead as the records still wanted call for, judged by the
    /// records per object seen so far: a page that one object fills reads one object.
    /// </summary>
    private sealed class ReadAhead<TData>(SignalStore store, ISignalShape<TData> shape, IAsyncEnumerable<(string Key, int FirstOffset, long Size)> keys, int limit, CancellationToken cancellationToken) : IAsyncDisposable
        where TData : IMessage<TData>, new()
    {
        private readonly Queue<(string Key, int FirstOffset, Task<List<SignalRecord>?> Records)> _pending = new();
        private readonly CancellationTokenSource _abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        private IAsyncEnumerator<(string Key, int FirstOffset, long Size)>? _keys;
        private bool _listed;
        private long _recordsSeen;
        private int _objectsSeen;

        public async Task<(string Key, int FirstOffset, List<SignalRecord>? Records)?> NextAsync(int wanted)
        {
            _keys ??= keys.GetAsyncEnumerator(_abandon.Token);
            // Objects to have in flight: enough for the records wanted (at least the next one).
            var perObject = _objectsSeen == 0 ? 0 : Math.Max(1, _recordsSeen / _objectsSeen);
            var depth = perObject == 0 ? 1 : (int)Math.Clamp((wanted + perObject - 1) / perObject, 1, limit);
            while (_pending.Count < depth && !_listed)
            {
                if (!await _keys.MoveNextAsync().ConfigureAwait(false))
                {
                    _listed = true;
                    break;
                }
                var (key, firstOffset, size) = _keys.Current;
                _pending.Enqueue((key, firstOffset, store.RecordsOf(shape, key, size)));
            }
            if (_pending.Count == 0)
            {
                return null;
            }
            var next = _pending.Dequeue();
            var records = await next.Records.ConfigureAwait(false);
            if (records is not null)
            {
                _recordsSeen += Math.Max(0, records.Count - next.FirstOffset);
                _objectsSeen++;
            }
            return (next.Key, next.FirstOffset, records);
        }

        public async ValueTask DisposeAsync()
        {
            // A walker asks for the next page next: when this page ended inside the listing and no read
            // of a following object is under way, start one, so its records are decoded (into the cache)
            // while the page travels. Reads already started run to the end for the same reason; each is
            // one object, so the work a page leaves behind stays bounded by the read-ahead.
            try
            {
                if (_pending.Count == 0 && !_listed && _keys is not null && !_abandon.IsCancellationRequested
                    && await _keys.MoveNextAsync().ConfigureAwait(false))
                {
                    var (key, _, size) = _keys.Current;
                    _ = store.RecordsOf(shape, key, size);
                }
            }
            catch (Exception ex) when (ex is StorageUnavailableException or OperationCanceledException)
            {
                // only a prefetch
            }
            if (_keys is not null)
            {
                await _keys.DisposeAsync().ConfigureAwait(false);
            }
            _abandon.Dispose();
        }
    }

    private static bool InRange(in SignalRecord record, ulong start, ulong end) =>
        // A record without a time was partitioned by its arrival; it belongs to whatever walks its partition.
        record.TimeUnixNano == 0 || (record.TimeUnixNano >= start && record.TimeUnixNano <= end);

    /// <summary>
    /// The records of an object: from the cache, from a read of it already under way (another page's
    /// read-ahead), or from a new read on the thread pool. Reads are shared, so they are not cancelled by
    /// the fetch that started them; failures reach whoever awaits them.
    /// </summary>
    private Task<List<SignalRecord>?> RecordsOf<TData>(ISignalShape<TData> shape, string key, long sizeHint)
        where TData : IMessage<TData>, new()
    {
        if (_decoded.TryGet(key, out var cached))
        {
            return Task.FromResult<List<SignalRecord>?>(cached);
        }
        lock (_reading)
        {
            if (_reading.TryGetValue(key, out var running))
            {
                return running;
            }
            var read = Task.Run(() => ReadRecordsAsync(shape, key, sizeHint, CancellationToken.None));
            _reading[key] = read;
            _ = read.ContinueWith(
                (t, state) =>
                {
                    var (reading, k) = ((Dictionary<string, Task<List<SignalRecord>?>>, string))state!;
                    lock (reading)
                    {
                        reading.Remove(k);
                    }
                    _ = t.Exception; // observed here; the awaiting fetch sees it too
                },
                (_reading, key),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return read;
        }
    }

    /// <summary>The records of one object, or null when it is gone or unreadable; decoded objects are cached.</summary>
    private async Task<List<SignalRecord>?> ReadRecordsAsync<TData>(ISignalShape<TData> shape, string key, long sizeHint, CancellationToken cancellationToken)
        where TData : IMessage<TData>, new()
    {
        var stream = await _objects.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return null; // removed since it was listed (e.g. by a lifecycle rule)
        }
        PooledBuffer content;
        await using (stream.ConfigureAwait(false))
        {
            content = await ObjectFormat.ReadContentAsync(stream, sizeHint, cancellationToken).ConfigureAwait(false);
        }
        using (content)
        {
            var records = new List<SignalRecord>();
            try
            {
                var json = content.WrittenSpan;
                if (ObjectFormat.IsDocument(json, ObjectFormat.ResourceFieldJsonName(shape.Signal), ObjectFormat.ResourceFieldProtoName(shape.Signal)))
                {
                    shape.Collect(OtlpJson.Parse<TData>(json), records);
                }
                else
                {
                    FlattenReader.Collect(shape.Signal, json, records);
                }
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
            {
                // One damaged object must not make a whole range unreadable: skip it, loudly.
                _metrics.UnreadableObject(shape.Signal);
                LogUnreadableObject(ex, key);
                return null;
            }
            _decoded.Add(key, records);
            return records;
        }
    }

    private int ValidateLimit(long limit)
    {
        if (limit < 0)
        {
            throw new FetchRequestException("limit must not be negative");
        }
        if (limit > _limits.MaxFetchLimit)
        {
            throw new FetchRequestException($"limit {limit} is above the maximum of {_limits.MaxFetchLimit}");
        }
        return limit == 0 ? _limits.DefaultFetchLimit : (int)limit;
    }

    /// <summary>Binds a cursor to its query: the signal and the time range as the client sent it.</summary>
    private static byte[] Fingerprint(SignalType signal, FetchQuery query)
    {
        var text = $"{signal}|{query.StartTimeUnixNano}|{query.EndTimeUnixNano}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {ObjectKey}: {RecordCount} records, {Bytes} bytes")]
    private partial void LogObjectWritten(string objectKey, int recordCount, int bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped unreadable object {ObjectKey}")]
    private partial void LogUnreadableObject(Exception exception, string objectKey);
}
