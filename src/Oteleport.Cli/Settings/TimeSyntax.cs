using System.Globalization;
using System.Text.RegularExpressions;

namespace Oteleport.Cli.Settings;

/// <summary>Durations (<c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>2d</c>, <c>500ms</c>) and RFC 3339 times to nanosecond precision.</summary>
internal static partial class TimeSyntax
{
    private const long NanosPerSecond = 1_000_000_000L;

    /// <summary>Reads a duration: one or more number+unit pairs, units ms, s, m, h, d.</summary>
    public static TimeSpan ParseDuration(string option, string text)
    {
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new UsageException($"{option}: '{text}' is not a duration (e.g. 30s, 5m, 1h30m, 2d)");
        }
        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unitStart = part.Value.IndexOfAny(['m', 's', 'h', 'd']);
            var number = double.Parse(part.Value[..unitStart], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
            total += part.Value[unitStart..] switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                _ => TimeSpan.FromDays(number),
            };
        }
        return total;
    }

    /// <summary>Reads an RFC 3339 time (<c>2024-10-23T09:30:00Z</c>, <c>...09:30:00.123456789+09:00</c>) as Unix nanoseconds.</summary>
    public static ulong ParseRfc3339(string option, string text)
    {
        var match = Rfc3339Pattern().Match(text.Trim());
        if (!match.Success)
        {
            throw new UsageException($"{option}: '{text}' is not an RFC 3339 time (e.g. 2024-10-23T09:30:00Z)");
        }
        int Part(string name) => int.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        DateTimeOffset whole;
        try
        {
            var offset = TimeSpan.Zero;
            if (match.Groups["offset"].Value is not ("Z" or "z") and var o)
            {
                offset = new TimeSpan(int.Parse(o.AsSpan(1, 2), CultureInfo.InvariantCulture), int.Parse(o.AsSpan(4, 2), CultureInfo.InvariantCulture), 0);
                offset = o[0] == '-' ? -offset : offset;
            }
            whole = new DateTimeOffset(Part("y"), Part("mo"), Part("d"), Part("h"), Part("mi"), Part("s"), offset);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new UsageException($"{option}: '{text}' is not a valid date and time");
        }
        var seconds = whole.ToUnixTimeSeconds();
        if (seconds <= 0)
        {
            throw new UsageException($"{option}: '{text}' is not after 1970-01-01T00:00:00Z");
        }
        var fraction = match.Groups["frac"].Value;
        var nanos = fraction.Length == 0 ? 0 : long.Parse(fraction.PadRight(9, '0'), CultureInfo.InvariantCulture);
        return (ulong)seconds * NanosPerSecond + (ulong)nanos;
    }

    /// <summary>Unix nanoseconds of a time (100 ns resolution).</summary>
    public static ulong ToUnixNano(DateTimeOffset time) => (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;

    /// <summary>An RFC 3339 text of Unix nanoseconds, for messages.</summary>
    public static string FormatUnixNano(ulong nanos)
    {
        var time = DateTimeOffset.UnixEpoch.AddTicks((long)(nanos / 100));
        return time.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            + "." + (nanos % NanosPerSecond).ToString("000000000", CultureInfo.InvariantCulture) + "Z";
    }

    [GeneratedRegex(@"^(?<part>\d+(\.\d+)?(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationPattern();

    [GeneratedRegex(@"^(?<y>\d{4})-(?<mo>\d{2})-(?<d>\d{2})[Tt ](?<h>\d{2}):(?<mi>\d{2}):(?<s>\d{2})(\.(?<frac>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339Pattern();
}
