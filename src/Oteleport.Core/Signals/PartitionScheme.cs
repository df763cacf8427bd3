namespace Oteleport.Signals;

/// <summary>
/// Hour partitions (<c>yyyy/MM/dd/HH</c>) in one time zone: UTC by default, or the zone a Go server
/// wrote a bucket in (it used the process's local zone).
/// </summary>
internal sealed class PartitionScheme(TimeZoneInfo zone)
{
    // Every zone offset in use is a multiple of 15 minutes, so stepping by 15 minutes visits every local hour.
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    public TimeZoneInfo Zone { get; } = zone;

    public string FolderOf(DateTimeOffset time)
    {
        var local = TimeZoneInfo.ConvertTime(time, Zone);
        return local.ToString("yyyy'/'MM'/'dd'/'HH", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string FolderOf(ulong unixNano) => FolderOf(FromUnixNano(unixNano));

    /// <summary>The partition folders that can hold records timed in [start, end], oldest first, each once.</summary>
    public List<string> FoldersBetween(ulong startUnixNano, ulong endUnixNano)
    {
        var folders = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var end = FromUnixNano(endUnixNano);
        for (var t = FromUnixNano(startUnixNano); ; t += Step)
        {
            if (t > end)
            {
                t = end;
            }
            var folder = FolderOf(t);
            // A folder can recur non-adjacently only when clocks go back (DST); keep its first place.
            if (seen.Add(folder))
            {
                folders.Add(folder);
            }
            if (t == end)
            {
                return folders;
            }
        }
    }

    public static DateTimeOffset FromUnixNano(ulong unixNano) =>
        DateTimeOffset.UnixEpoch.AddTicks((long)Math.Min(unixNano / 100, (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks));

    public static ulong ToUnixNano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;
}
