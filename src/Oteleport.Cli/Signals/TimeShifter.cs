namespace Oteleport.Cli.Signals;

/// <summary>Moves timestamps by one fixed amount; 0 (unset) stays 0, and results stay within 1 .. ulong.MaxValue.</summary>
internal sealed class TimeShifter(Int128 deltaNanos)
{
    public Int128 DeltaNanos { get; } = deltaNanos;

    /// <summary>The shift that moves <paramref name="earliest"/> to <paramref name="target"/>.</summary>
    public static TimeShifter From(ulong earliest, ulong target) => new((Int128)target - earliest);

    public ulong Shift(ulong unixNano)
    {
        if (unixNano == 0)
        {
            return 0;
        }
        var moved = (Int128)unixNano + DeltaNanos;
        return moved < 1 ? 1UL : moved > ulong.MaxValue ? ulong.MaxValue : (ulong)moved;
    }
}
