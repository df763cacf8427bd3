namespace Oteleport.Query;

/// <summary>What a fetch asks for: a time range of record times, a page size and where to resume.</summary>
public sealed record FetchQuery
{
    /// <summary>The earliest record time, inclusive (required, non-zero).</summary>
    public required ulong StartTimeUnixNano { get; init; }

    /// <summary>The latest record time, inclusive; 0 means now.</summary>
    public ulong EndTimeUnixNano { get; init; }

    /// <summary>The <c>nextCursor</c> of the previous page, or empty for the first page.</summary>
    public string? Cursor { get; init; }

    /// <summary>The most records (spans, data points, log records) in the page; 0 means the default.</summary>
    public long Limit { get; init; }

    /// <summary>Record filters beyond the time range; none by default.</summary>
    public FetchFilter Filter { get; init; } = FetchFilter.None;
}
