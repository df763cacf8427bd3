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
using Oteleport.Storage.Summaries;
using Oteleport.Storage.Writing;

namespace Oteleport.Storage;

/// <summary>The <see cref="ISignalStore"/> over an <see cref="IObjectStore"/>.</summary>
internal sealed partial class SignalStore : ISignalStore, IAsyncDisposable, IDisposable
{
    private const int MaxCachedSummaries = 100_000;
    private readonly GroupCommitWriter _writer;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ObjectSummary?> _summaries = new(StringComparer.Ordinal);
    private readonly IObjectStore _objects;
    private readonly ICursorCodec _cursors;
    private readonly TimeProvider _time;
    private readonly ILogger<SignalStore> _logger;
    private readonly PartitionScheme _partitions;
    private readonly StorageOptions _storage;
    private readonly LimitOptions _limits;
    private readonly OteleportMetrics _metrics;

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
        _writer = new GroupCommitWriter(WriteBatchAsync, _storage.FlushInterval, _storage.MaxBatchRecords, time);
    }

    /// <summary>Writes every pending batch now (shutdown).</summary>
    public Task FlushAsync() => _writer.FlushAsync();

    /// <summary>Shutdown has begun: pending batches are written now, and later ones without waiting for the flush interval.</summary>
    public void BeginDrain() => _writer.BeginDrain();

    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    // A container disposed synchronously must still write what is pending.
    public void Dispose() => _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();

    public Task AppendTracesAsync(TracesData data, CancellationToken cancellationToken) => AppendAsync(TraceShape.Instance, data, cancellationToken);
    public Task AppendMetricsAsync(MetricsData data, CancellationToken cancellationToken) => AppendAsync(MetricShape.Instance, data, cancellationToken);
    public Task AppendLogsAsync(LogsData data, CancellationToken cancellationToken) => AppendAsync(LogShape.Instance, data, cancellationToken);

    public async Task<FetchTracesDataResponse> FetchTracesAsync(FetchQuery query, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(TraceShape.Instance, query, cancellationToken).ConfigureAwait(false);
        var response = new FetchTracesDataResponse { NextCursor = page.NextCursor, HasMore = page.HasMore };
        response.ResourceSpans.Add(page.Data.ResourceSpans);
        return response;
    }

    public async Task<FetchMetricsDataResponse> FetchMetricsAsync(FetchQuery query, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(MetricShape.Instance, query, cancellationToken).ConfigureAwait(false);
        var response = new FetchMetricsDataResponse { NextCursor = page.NextCursor, HasMore = page.HasMore };
        response.ResourceMetrics.Add(page.Data.ResourceMetrics);
        return response;
    }

    public async Task<FetchLogsDataResponse> FetchLogsAsync(FetchQuery query, CancellationToken cancellationToken)
    {
        var page = await FetchAsync(LogShape.Instance, query, cancellationToken).ConfigureAwait(false);
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
        foreach (var record in records)
        {
            var folder = record.TimeUnixNano != 0 ? _partitions.FolderOf(record.TimeUnixNano) : _partitions.FolderOf(now);
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
            writes[i++] = _writer.AppendAsync(shape.Signal, folder, partitionRecords, cancellationToken);
        }
        await Task.WhenAll(writes).ConfigureAwait(false);
    }

    /// <summary>One group-commit batch becomes one object: flatten JSON lines or one OTLP document.</summary>
    private Task WriteBatchAsync(SignalType signal, string folder, IReadOnlyList<SignalRecord> records, CancellationToken cancellationToken)
    {
        var content = _storage.Flatten
            ? ObjectFormat.EncodeFlatten(signal, records, _storage.Gzip)
            : ObjectFormat.EncodeDocument(Build(signal, records), _storage.Gzip);
        var writtenAt = TimeZoneInfo.ConvertTime(_time.GetUtcNow(), _partitions.Zone);
        var metadata = ObjectFormat.Metadata(_storage.Gzip) with { Summary = _storage.Summaries ? ObjectSummary.Build(signal, records) : null };
        return PutAsync(signal, folder, content, records.Count, metadata, writtenAt, cancellationToken);
    }

    private static IMessage Build(SignalType signal, IReadOnlyList<SignalRecord> records) => signal switch
    {
        SignalType.Traces => TraceShape.Instance.Build(records),
        SignalType.Metrics => MetricShape.Instance.Build(records),
        _ => LogShape.Instance.Build(records),
    };

    private async Task PutAsync(SignalType signal, string folder, ReadOnlyMemory<byte> content, int recordCount, ObjectMetadata metadata, DateTimeOffset writtenAt, CancellationToken cancellationToken)
    {
        var key = SignalLayout.NewObjectKey(signal, folder, writtenAt, _storage.Gzip);
        try
        {
            await _objects.PutAsync(key, content, metadata, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageUnavailableException)
        {
            _metrics.WriteFailed(signal);
            throw;
        }
        _metrics.ObjectWritten(signal, recordCount, content.Length);
        LogObjectWritten(key, recordCount, content.Length);
    }

    // ---- read path ----

    private readonly record struct Page<TData>(TData Data, string NextCursor, bool HasMore);

    private async Task<Page<TData>> FetchAsync<TData>(ISignalShape<TData> shape, FetchQuery query, CancellationToken cancellationToken)
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

        if (end - query.StartTimeUnixNano > (ulong)_limits.MaxFetchRange.Ticks * 100)
        {
            throw new FetchRequestException(
                $"the time range is longer than {_limits.MaxFetchRange.TotalDays:0.##} days (limits.max_fetch_range): fetch a shorter range, or raise the limit");
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
        var records = new List<SignalRecord>();
        for (; folderIndex < folders.Count; folderIndex++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var folder = folders[folderIndex];
            var prefix = SignalLayout.PartitionPrefix(shape.Signal, folder);
            var keys = ResumeKeys(prefix, resume?.Partition == folder ? resume : null, cancellationToken);
            // Summaries pay off where records can be left out: under a filter, or in the partitions at
            // the range's edges; elsewhere every record matches and reading at once is cheaper.
            var consultSummaries = !query.Filter.IsEmpty || folderIndex == 0 || folderIndex == folders.Count - 1;
            await foreach (var (key, firstOffset) in keys.ConfigureAwait(false))
            {
                if (consultSummaries && firstOffset == 0
                    && await SummaryOfAsync(key, cancellationToken).ConfigureAwait(false) is { } summary
                    && !summary.CanMatch(shape.Signal, query.StartTimeUnixNano, end, query.Filter))
                {
                    _metrics.ObjectSkipped(shape.Signal);
                    continue;
                }
                records.Clear();
                _metrics.ObjectRead(shape.Signal);
                if (!await ReadRecordsAsync(shape, key, records, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }
                for (var i = firstOffset; i < records.Count; i++)
                {
                    var record = records[i];
                    if (!InRange(record, query.StartTimeUnixNano, end) || !RecordMatcher.Matches(record, query.Filter))
                    {
                        continue;
                    }
                    if (selected.Count == limit)
                    {
                        // The page is full and one more record exists: the cursor points at it, so
                        // hasMore is exact and the last page is never empty.
                        var next = _cursors.Encode(new CursorPosition(folder, key, i, fingerprint));
                        return new Page<TData>(shape.Build(selected), next, true);
                    }
                    selected.Add(record);
                }
            }
        }
        return new Page<TData>(shape.Build(selected), "", false);
    }

    /// <summary>The keys of a partition to read, with the first record offset of each.</summary>
    private async IAsyncEnumerable<(string Key, int FirstOffset)> ResumeKeys(string prefix, CursorPosition? resume, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? startAfter = null;
        if (resume is not null)
        {
            yield return (resume.ObjectKey, resume.RecordOffset);
            startAfter = resume.ObjectKey;
        }
        await foreach (var stored in _objects.ListAsync(prefix, startAfter, cancellationToken).ConfigureAwait(false))
        {
            yield return (stored.Key, 0);
        }
    }

    private async Task<ObjectSummary?> SummaryOfAsync(string key, CancellationToken cancellationToken)
    {
        // Objects never change, so neither do their summaries.
        if (_summaries.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var summary = ObjectSummary.Parse(await _objects.GetSummaryAsync(key, cancellationToken).ConfigureAwait(false));
        if (_summaries.Count >= MaxCachedSummaries)
        {
            _summaries.Clear();
        }
        _summaries[key] = summary;
        return summary;
    }

    private static bool InRange(in SignalRecord record, ulong start, ulong end) =>
        // A record without a time was partitioned by its arrival; it belongs to whatever walks its partition.
        record.TimeUnixNano == 0 || (record.TimeUnixNano >= start && record.TimeUnixNano <= end);

    private async Task<bool> ReadRecordsAsync<TData>(ISignalShape<TData> shape, string key, List<SignalRecord> records, CancellationToken cancellationToken)
        where TData : IMessage<TData>, new()
    {
        var stream = await _objects.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (stream is null)
        {
            return false; // removed since it was listed (e.g. by a lifecycle rule)
        }
        byte[] content;
        await using (stream.ConfigureAwait(false))
        {
            content = await ObjectFormat.ReadContentAsync(stream, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            if (ObjectFormat.IsDocument(content, ObjectFormat.ResourceFieldJsonName(shape.Signal), ObjectFormat.ResourceFieldProtoName(shape.Signal)))
            {
                shape.Collect(OtlpJson.ParseStored<TData>(content), records);
            }
            else
            {
                FlattenReader.Collect(shape.Signal, content, records);
            }
            return true;
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            // One damaged object must not make a whole range unreadable: skip it, loudly.
            records.Clear();
            _metrics.UnreadableObject(shape.Signal);
            LogUnreadableObject(ex, key);
            return false;
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

    /// <summary>Binds a cursor to its query: the signal, the time range as the client sent it, and the filters.</summary>
    private static byte[] Fingerprint(SignalType signal, FetchQuery query)
    {
        // Without filters the text is what it was before filters existed, so older cursors stay valid.
        var text = $"{signal}|{query.StartTimeUnixNano}|{query.EndTimeUnixNano}{query.Filter.Canonical()}";
        return SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {ObjectKey}: {RecordCount} records, {Bytes} bytes")]
    private partial void LogObjectWritten(string objectKey, int recordCount, int bytes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Skipped unreadable object {ObjectKey}")]
    private partial void LogUnreadableObject(Exception exception, string objectKey);
}
