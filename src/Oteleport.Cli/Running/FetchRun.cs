using System.Net;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Oteleport.Cli.Replay;
using Oteleport.Cli.Settings;
using Oteleport.Cli.Signals;
using Oteleport.Client;
using Oteleport.Otlp.Json;
using Oteleport.Signals;

namespace Oteleport.Cli.Running;

/// <summary>
/// One <c>oteleport traces|metrics|logs</c> run: walks the range (or follows new data window by window),
/// moves timestamps when asked, prints to stdout and/or replays to an OTLP endpoint.
/// </summary>
/// <remarks>
/// <para><b>Follow.</b> The server's ranges are inclusive at both ends and a record belongs to a range by
/// its own time (span start, data point time, log time). Follow walks the first window
/// <c>[start, now - lag]</c> completely (every page, with the same bounds, so the cursor holds), then
/// each later window <c>[previous end + 1 ns, now - lag]</c>. The windows tile the time axis without
/// gap or overlap, so a record is printed at most once, and every record that is stored by the time its
/// window is walked is printed. The lag is what makes the second part hold: a window is walked only once
/// its end is <c>lag</c> in the past, which leaves that long for a record to arrive and be stored after its
/// own timestamp. The limit: a record stored later than <c>lag</c> after its own timestamp (a sender that
/// buffered or retried for longer, or clocks apart by more than the lag) falls in a window already walked and
/// is not printed. Records without any timestamp match every range over their partition; follow prints
/// each such record once (remembered by content).</para>
/// <para><b>Time shift.</b> The delta that moves the run's earliest record to the target is known before
/// anything is printed or sent: a first pass over the range (without follow) or over the first window that
/// holds records (with follow; later windows only hold later records) reads the record times, and the second
/// pass shifts and writes. The first pass reads the data once more.</para>
/// </remarks>
internal sealed class FetchRun<TData>(
    CliSignal<TData> signal,
    FetchSettings settings,
    CliHost host,
    OteleportClient client,
    OtlpExporter? exporter,
    ProgressReporter progress)
    where TData : IMessage<TData>, new()
{
    private const int MaxRememberedTimeless = 100_000;

    private readonly List<SignalRecord> _records = new();
    private readonly HashSet<string> _timelessSeen = new(StringComparer.Ordinal);
    private readonly Queue<string> _timelessOrder = new();
    private TimeShifter? _shifter;
    private long _rejected;
    private bool _connected;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (settings.Follow)
            {
                await FollowAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var range = new OteleportTimeRange(settings.StartTimeUnixNano, settings.EndTimeUnixNano);
                if (settings.TimeShift)
                {
                    await PrepareShiftAsync(range, cancellationToken).ConfigureAwait(false);
                }
                await WalkAsync(range, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            progress.Finish();
            if (settings.Follow)
            {
                return 0; // Ctrl-C is how follow ends
            }
            throw new CliFailure("interrupted");
        }
        finally
        {
            await host.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
        progress.Finish();
        if (_rejected > 0)
        {
            throw new CliFailure($"{exporter!.Settings.EndpointText} rejected {_rejected} of {progress.Fetched} {signal.RecordNoun}");
        }
        if (settings.LookupTraceId is { } traceId && progress.Fetched == 0)
        {
            throw new CliFailure(settings.StartTimeUnixNano == 0
                ? $"trace {traceId} not found in the server's lookup window (24 hours by default): look further back with --since or --start-time"
                : $"trace {traceId} not found between {TimeSyntax.FormatUnixNano(settings.StartTimeUnixNano)} and {(settings.EndTimeUnixNano == 0 ? "now" : TimeSyntax.FormatUnixNano(settings.EndTimeUnixNano))}");
        }
        return 0;
    }

    private async Task FollowAsync(CancellationToken cancellationToken)
    {
        var windowStart = settings.StartTimeUnixNano;
        var lagNanos = (ulong)settings.FollowLag.Ticks * 100;
        while (true)
        {
            var now = TimeSyntax.ToUnixNano(host.Time.GetUtcNow());
            var windowEnd = now > lagNanos ? now - lagNanos : 0;
            if (windowEnd >= windowStart)
            {
                var window = new OteleportTimeRange(windowStart, windowEnd);
                if (settings.TimeShift && _shifter is null)
                {
                    await PrepareShiftAsync(window, cancellationToken).ConfigureAwait(false);
                }
                await WalkAsync(window, cancellationToken).ConfigureAwait(false);
                windowStart = windowEnd + 1;
            }
            await Task.Delay(settings.PollInterval, host.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The first pass: the earliest record time of the range fixes the shift (none while the range is empty).</summary>
    private async Task PrepareShiftAsync(OteleportTimeRange range, CancellationToken cancellationToken)
    {
        var earliest = ulong.MaxValue;
        await foreach (var page in PagesAsync(range, cancellationToken).ConfigureAwait(false))
        {
            _records.Clear();
            signal.Collect(page, _records);
            foreach (var record in _records)
            {
                if (record.TimeUnixNano != 0 && record.TimeUnixNano < earliest)
                {
                    earliest = record.TimeUnixNano;
                }
            }
        }
        if (earliest != ulong.MaxValue)
        {
            var target = settings.TimeShiftTarget != 0 ? settings.TimeShiftTarget : TimeSyntax.ToUnixNano(host.Time.GetUtcNow());
            _shifter = TimeShifter.From(earliest, target);
        }
    }

    private async Task WalkAsync(OteleportTimeRange range, CancellationToken cancellationToken)
    {
        await foreach (var page in PagesAsync(range, cancellationToken).ConfigureAwait(false))
        {
            await ProcessAsync(page, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(TData page, CancellationToken cancellationToken)
    {
        _records.Clear();
        signal.Collect(page, _records);
        if (settings.Follow && _records.Exists(r => r.TimeUnixNano == 0))
        {
            _records.RemoveAll(r => r.TimeUnixNano == 0 && !FirstSightOfTimeless(r));
            page = signal.Build(_records);
        }
        if (_records.Count == 0)
        {
            return;
        }
        if (_shifter is not null)
        {
            signal.Shift(page, _shifter);
        }
        progress.AddFetched(_records.Count);
        if (settings.Output is not null && host.OutIsTerminal)
        {
            progress.BreakLine();
        }

        switch (settings.Output)
        {
            case OutputMode.Json:
                WriteLine(OtlpJson.Serialize(page));
                break;
            case OutputMode.JsonLines:
                foreach (var record in _records)
                {
                    WriteLine(OtlpJson.Serialize(signal.SingleResource(signal.Build([record]))));
                }
                break;
        }
        if (settings.Output is not null)
        {
            await host.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        if (exporter is not null)
        {
            ExportOutcome outcome;
            try
            {
                outcome = await exporter.ExportAsync(signal.ExportRequest(page), cancellationToken).ConfigureAwait(false);
            }
            catch (OtlpExportException ex)
            {
                throw new CliFailure($"export to {exporter.Settings.EndpointText} ({exporter.Settings.ProtocolName}) failed: {ex.Message}", ex);
            }
            if (outcome.Rejected > 0)
            {
                _rejected += outcome.Rejected;
                progress.BreakLine();
                await host.Error.WriteLineAsync($"oteleport: {exporter.Settings.EndpointText} rejected {outcome.Rejected} {signal.RecordNoun}: {OneLine(outcome.Message)}").ConfigureAwait(false);
            }
            progress.AddSent(_records.Count - outcome.Rejected);
        }
    }

    /// <summary>
    /// The pages of a range, in order. While following, once the server has answered, a connection failure
    /// or an unavailable server is retried for the same page (same cursor) until it answers again, so that a
    /// server restart neither ends the follow nor repeats a page.
    /// </summary>
    private async IAsyncEnumerable<TData> PagesAsync(OteleportTimeRange range, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var cursor = "";
        while (true)
        {
            SignalPage<TData> page;
            var delay = TimeSpan.FromSeconds(1);
            var warned = false;
            while (true)
            {
                try
                {
                    page = await signal.FetchPageAsync(client, range, settings.Limit, cursor, settings.Filter, cancellationToken).ConfigureAwait(false);
                    _connected = true;
                    break;
                }
                catch (Exception ex) when (settings.Follow && _connected && IsTransient(ex))
                {
                    if (!warned)
                    {
                        progress.BreakLine();
                        await host.Error.WriteLineAsync($"oteleport: {OneLine(ex.Message)}; retrying").ConfigureAwait(false);
                        warned = true;
                    }
                    await Task.Delay(delay, host.Time, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
                }
            }
            yield return page.Data;
            if (!page.HasMore)
            {
                yield break;
            }
            if (string.IsNullOrEmpty(page.NextCursor))
            {
                throw new CliFailure($"{client.BaseAddress} said hasMore without a nextCursor");
            }
            cursor = page.NextCursor;
        }
    }

    private static bool IsTransient(Exception ex) => ex switch
    {
        OteleportConnectionException => true,
        OteleportClientException e => e.HttpStatus is HttpStatusCode.ServiceUnavailable or HttpStatusCode.BadGateway or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    /// <summary>Whether a record without a time is new to this run; it is remembered (up to a bound) by its content.</summary>
    private bool FirstSightOfTimeless(SignalRecord record)
    {
        var key = Convert.ToBase64String(SHA256.HashData(signal.Build([record]).ToByteArray()));
        if (!_timelessSeen.Add(key))
        {
            return false;
        }
        _timelessOrder.Enqueue(key);
        if (_timelessOrder.Count > MaxRememberedTimeless)
        {
            _timelessSeen.Remove(_timelessOrder.Dequeue());
        }
        return true;
    }

    private void WriteLine(byte[] utf8Json)
    {
        host.Out.Write(Encoding.UTF8.GetString(utf8Json));
        host.Out.Write('\n');
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
