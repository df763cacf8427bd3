using System.Diagnostics;
using System.Globalization;

namespace Oteleport.Cli.Running;

/// <summary>
/// Records fetched and sent, and the rate, on stderr: redrawn in place on a terminal, else (with
/// <c>--progress</c>) a line every few seconds; a summary at the end.
/// </summary>
internal sealed class ProgressReporter(CliHost host, string signal, string noun, bool enabled, bool replay)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastShown = TimeSpan.Zero;
    private bool _drawn;

    public long Fetched { get; private set; }
    public long Sent { get; private set; }
    public long Pages { get; private set; }

    public void AddFetched(long records)
    {
        Fetched += records;
        Pages++;
        Show(final: false);
    }

    public void AddSent(long records)
    {
        Sent += records;
        Show(final: false);
    }

    public void Finish() => Show(final: true);

    private void Show(bool final)
    {
        if (!enabled)
        {
            return;
        }
        var now = _clock.Elapsed;
        var every = host.ErrorIsTerminal ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromSeconds(5);
        if (!final && now - _lastShown < every)
        {
            return;
        }
        _lastShown = now;
        var seconds = Math.Max(now.TotalSeconds, 0.001);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{signal}: fetched {Fetched:N0} {noun} in {Pages:N0} pages{(replay ? $", sent {Sent:N0}" : "")}, {Fetched / seconds:N0}/s, {seconds:0.0} s");
        if (host.ErrorIsTerminal)
        {
            // Carriage return and erase-line: one line redrawn in place.
            host.Error.Write("\r\u001b[K" + text + (final ? Environment.NewLine : ""));
            _drawn = !final;
        }
        else
        {
            host.Error.WriteLine(text);
        }
        host.Error.Flush();
    }

    /// <summary>Ends an in-place line so that a message that follows starts on a line of its own.</summary>
    public void BreakLine()
    {
        if (_drawn)
        {
            host.Error.WriteLine();
            _drawn = false;
        }
    }
}
