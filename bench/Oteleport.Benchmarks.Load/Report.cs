using System.Globalization;

namespace Oteleport.Benchmarks.Load;

/// <summary>Every figure next to its target (2-core machine, load generator on the same machine).</summary>
internal sealed class Report(LoadSettings load, TimeSpan flushInterval)
{
    public LoadResult? Noop { get; set; }
    public LoadResult? Ingest { get; set; }
    public LoadResult? Paced { get; set; }
    public LoadResult? PacedNoop { get; set; }
    public LoadResult? IngestHttp { get; set; }
    public FetchResult? Fetch { get; set; }

    public void Print(TextWriter output)
    {
        var rows = new List<(string Figure, string Measured, string Target, string Met)>();
        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        static string Met(bool ok) => ok ? "yes" : "NO";
        var shape = $"{load.Senders} senders x {load.SpansPerRequest} spans x {load.AttributesPerSpan} attrs";
        if (Ingest is { } ingest)
        {
            rows.Add(($"{(ingest.Settings.Transport == Transport.Grpc ? "gRPC" : "OTLP/HTTP")} ingest, file store ({shape})", $"{N(ingest.SpansPerSecond)} spans/s", ">= 100,000 spans/s", Met(ingest.SpansPerSecond >= 100_000)));
            rows.Add(("  Export latency at max rate p50 / p99", $"{ingest.P50Ms:N1} / {ingest.P99Ms:N1} ms", "-", "-"));
            rows.Add(("  Export errors", N(ingest.Errors), "0", Met(ingest.Errors == 0)));
            // At most one object per flush interval per signal and partition: one hour partition here
            // (two when the run crosses an hour).
            var seconds = (ingest.Settings.Duration + ingest.Settings.Warmup).TotalSeconds + 1;
            var allowed = flushInterval > TimeSpan.Zero ? 2 * Math.Ceiling(seconds / flushInterval.TotalSeconds) : double.PositiveInfinity;
            rows.Add(("  objects per 1,000 Exports (Go server: >= 1,000)", $"{ingest.ObjectsPer1000Exports:N1} ({N(ingest.Objects)} objects)", $"<= 1 per flush interval ({flushInterval.TotalMilliseconds:N0} ms)", Met(ingest.Objects <= allowed)));
            rows.Add(("  peak server memory (VmHWM) at max ingest", $"{ingest.PeakServerBytes / 1048576.0:N0} MiB", "<= 400 MB", Met(ingest.PeakServerBytes <= 400_000_000)));
            rows.Add(("  CPU: server / load generator / other processes", $"{ingest.ServerCpuPerSecond:N2} / {ingest.LoadGeneratorCores:N2} / {ingest.OtherCores:N2} cores", "(2 cores)", "-"));
            rows.Add(("  spans per server CPU-second", N(ingest.SpansPerServerCpuSecond), "-", "-"));
        }
        if (Noop is { } noop)
        {
            rows.Add(("gRPC no-op receiver (decode, then drop)", $"{N(noop.SpansPerSecond)} spans/s", "-", "-"));
            rows.Add(("  CPU: server / load generator / other processes", $"{noop.ServerCpuPerSecond:N2} / {noop.LoadGeneratorCores:N2} / {noop.OtherCores:N2} cores", "(2 cores)", "-"));
            rows.Add(("  spans per server CPU-second", N(noop.SpansPerServerCpuSecond), "-", "-"));
            if (Ingest is { } i)
            {
                var ratio = i.SpansPerSecond / noop.SpansPerSecond;
                rows.Add(("  ingest / no-op", ratio.ToString("P0", CultureInfo.InvariantCulture), ">= 30%", Met(ratio >= 0.30)));
            }
        }
        if (Paced is { } paced)
        {
            var limit = flushInterval.TotalMilliseconds + 100;
            rows.Add(($"Export p99 paced at {N(paced.Settings.TargetSpansPerSecond)} spans/s (half max)", $"{paced.P99Ms:N1} ms (p50 {paced.P50Ms:N1}, got {N(paced.SpansPerSecond)} spans/s)", $"<= flush interval + 100 = {limit:N0} ms", Met(paced.P99Ms <= limit && paced.Errors == 0)));
            rows.Add(("  objects per 1,000 Exports at half rate", $"{paced.ObjectsPer1000Exports:N1}", "-", "-"));
            rows.Add(("  CPU: server / load generator / other processes", $"{paced.ServerCpuPerSecond:N2} / {paced.LoadGeneratorCores:N2} / {paced.OtherCores:N2} cores", "(2 cores)", "-"));
            if (PacedNoop is { } pacedNoop)
            {
                rows.Add(("  the same pace, no-op receiver: p50 / p99", $"{pacedNoop.P50Ms:N1} / {pacedNoop.P99Ms:N1} ms", "(the machine's own share)", "-"));
            }
        }
        if (IngestHttp is { } httpIngest)
        {
            rows.Add(("OTLP/HTTP protobuf ingest, file store", $"{N(httpIngest.SpansPerSecond)} spans/s (p99 {httpIngest.P99Ms:N1} ms)", "-", "-"));
        }
        if (Fetch is { } fetch)
        {
            rows.Add(($"fetch REST, pages of {1000} ({N(fetch.RestSpans)} spans, {fetch.Objects} objects)", $"{N(fetch.RestSpansPerSecond)} spans/s", ">= 200,000 spans/s", Met(fetch.RestSpansPerSecond >= 200_000)));
            rows.Add(("  server CPU / machine busy during the REST walk", $"{fetch.RestServerCpuSeconds / fetch.RestSeconds:N2} / {fetch.MachineBusyCores:N2} cores", "(2 cores)", "-"));
            rows.Add(("  REST spans per server CPU-second", N(fetch.RestSpansPerServerCpuSecond), "-", "-"));
            rows.Add(("  fetch at the store level (ISignalStore, in process)", $"{N(fetch.StoreSpansPerSecond)} spans/s", "-", "-"));
            rows.Add(("  peak server memory while fetching", $"{fetch.PeakServerBytes / 1048576.0:N0} MiB", "-", "-"));
        }
        var w0 = Math.Max(6, rows.Max(r => r.Figure.Length));
        var w1 = Math.Max(8, rows.Max(r => r.Measured.Length));
        var w2 = Math.Max(6, rows.Max(r => r.Target.Length));
        output.WriteLine();
        output.WriteLine($"| {"Figure".PadRight(w0)} | {"Measured".PadRight(w1)} | {"Target".PadRight(w2)} | Met |");
        output.WriteLine($"|{new string('-', w0 + 2)}|{new string('-', w1 + 2)}|{new string('-', w2 + 2)}|-----|");
        foreach (var r in rows)
        {
            output.WriteLine($"| {r.Figure.PadRight(w0)} | {r.Measured.PadRight(w1)} | {r.Target.PadRight(w2)} | {r.Met.PadRight(3)} |");
        }
    }
}
