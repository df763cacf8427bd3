using Google.Protobuf;
using Oteleport.Proto.V1;
using Oteleport.Storage;

namespace Oteleport.Query;

/// <summary>Every span of one trace: the fetch API with a trace id filter, walked to the end.</summary>
public static class TraceLookup
{
    /// <summary>The most spans a lookup returns; a larger trace is an error that points to paged fetch.</summary>
    public const int MaxSpans = 100_000;

    /// <summary>Collects the spans of <paramref name="traceId"/> timed within [start, end] (end 0 = now).</summary>
    /// <exception cref="FetchRequestException">The id is not 16 bytes, the range is invalid, or the trace is larger than <see cref="MaxSpans"/>.</exception>
    public static async Task<FetchTracesDataResponse> GetTraceAsync(this ISignalStore store, ByteString traceId, ulong startTimeUnixNano, ulong endTimeUnixNano, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (traceId.Length != 16)
        {
            throw new FetchRequestException("a trace id is 32 hex digits");
        }
        var result = new FetchTracesDataResponse();
        var spans = 0;
        string? cursor = null;
        do
        {
            var page = await store.FetchTracesAsync(new FetchQuery
            {
                StartTimeUnixNano = startTimeUnixNano,
                EndTimeUnixNano = endTimeUnixNano,
                Cursor = cursor,
                Limit = 10_000,
                Filter = new FetchFilter { TraceId = traceId },
            }, cancellationToken).ConfigureAwait(false);
            foreach (var resource in page.ResourceSpans)
            {
                spans += resource.ScopeSpans.Sum(s => s.Spans.Count);
            }
            if (spans > MaxSpans)
            {
                throw new FetchRequestException($"the trace has more than {MaxSpans} spans in the range: page through it with /api/traces/fetch and traceId");
            }
            result.ResourceSpans.Add(page.ResourceSpans);
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
        return result;
    }
}
