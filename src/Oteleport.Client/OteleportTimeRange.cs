namespace Oteleport.Client;

/// <summary>A range of record times to read, both ends inclusive, in nanoseconds since the Unix epoch.</summary>
/// <param name="StartTimeUnixNano">The earliest record time; must not be 0.</param>
/// <param name="EndTimeUnixNano">The latest record time; 0 means "now" at the server, for each request.</param>
public readonly record struct OteleportTimeRange(ulong StartTimeUnixNano, ulong EndTimeUnixNano = 0)
{
    /// <summary>The range from <paramref name="start"/> to <paramref name="end"/> (or to now at the server when null).</summary>
    /// <param name="start">The earliest record time (after the Unix epoch).</param>
    /// <param name="end">The latest record time, or null for now.</param>
    /// <returns>The range.</returns>
    public static OteleportTimeRange Between(DateTimeOffset start, DateTimeOffset? end = null) =>
        new(ToUnixNano(start), end is { } e ? ToUnixNano(e) : 0);

    /// <summary>Nanoseconds since the Unix epoch of <paramref name="time"/>.</summary>
    /// <param name="time">A time after the Unix epoch.</param>
    /// <returns>The nanoseconds.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The time is before 1970.</exception>
    public static ulong ToUnixNano(DateTimeOffset time)
    {
        var ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        ArgumentOutOfRangeException.ThrowIfNegative(ticks, nameof(time));
        return (ulong)ticks * 100;
    }
}
