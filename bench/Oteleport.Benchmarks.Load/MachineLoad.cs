using System.Diagnostics;
using System.Globalization;

namespace Oteleport.Benchmarks.Load;

/// <summary>
/// CPU use over a run: the whole machine (from /proc/stat), this process and the server. On a machine
/// shared with other work, what the others took explains a low figure; CPU seconds per span do not depend on it.
/// </summary>
internal sealed class MachineLoad
{
    private readonly (long Busy, long Total) _start = ReadStat();
    private readonly double _selfStart = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public (double MachineBusyCores, double LoadGeneratorCores) Stop()
    {
        var end = ReadStat();
        var seconds = Stopwatch.GetElapsedTime(_startedAt).TotalSeconds;
        var totalTicks = end.Total - _start.Total;
        var busyShare = totalTicks == 0 ? 0 : (double)(end.Busy - _start.Busy) / totalTicks;
        var self = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - _selfStart;
        return (busyShare * Environment.ProcessorCount, self / seconds);
    }

    private static (long Busy, long Total) ReadStat()
    {
        // cpu  user nice system idle iowait irq softirq steal ...
        var line = File.ReadLines("/proc/stat").First();
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var total = fields.Take(Math.Min(fields.Length, 8)).Sum();
        return (total - idle, total);
    }
}
