using System.Globalization;
using Oteleport.Benchmarks.Load;
using Oteleport.Options;

return await Program.MainAsync(args);

internal static partial class Program
{
    private const string Usage = """
        Usage: Oteleport.Benchmarks.Load <command> [options] [--Oteleport:Section:Key=value ...]

        Commands:
          all       every run below, then a table of each figure next to its target
          ingest    closed-loop senders against the server with a folder store
          noop      the same against the server's discard mode (decode, then drop)
          paced     senders at a fixed total rate (--rate spans/s)
          fetch     prepare a range of spans through ISignalStore, walk it in pages (store level and REST)
          sweep     ingest once per flush interval (--intervals ms,ms,...), to choose the default

        Options (defaults in brackets):
          --transport grpc|http  OTLP gRPC or OTLP/HTTP protobuf [grpc]
          --senders N            concurrent senders [32]
          --spans N              spans per Export request [100]
          --attrs N              attributes per span [10]
          --duration S           measured seconds per run [20]
          --warmup S             unmeasured seconds before each run [3]
          --rate N               total spans/s of a paced run [half of the ingest rate in 'all']
          --fetch-spans N        spans prepared for the fetch run [1000000]
          --page N               page size of the fetch run [1000]
          --intervals LIST       flush intervals of a sweep, in ms [200,100,50,20,10,0]
        Arguments starting with --Oteleport: go to the server (and to the in-process store of the fetch run),
        e.g. --Oteleport:Storage:FlushInterval=00:00:00.050
        """;

    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.WriteLine(Usage);
            return args.Length == 0 ? 1 : 0;
        }
        var command = args[0];
        var options = Parse(args[1..], out var serverArgs);
        var load = new LoadSettings(
            options.GetValueOrDefault("transport", "grpc") == "http" ? Transport.HttpProtobuf : Transport.Grpc,
            Int(options, "senders", 32),
            Int(options, "spans", 100),
            Int(options, "attrs", 10),
            TimeSpan.FromSeconds(Dbl(options, "duration", 20)),
            TimeSpan.FromSeconds(Dbl(options, "warmup", 3)),
            Dbl(options, "rate", 0),
            false,
            serverArgs);
        var fetch = new FetchSettings(Int(options, "fetch-spans", 1_000_000), Int(options, "attrs", 10), 1000, Int(options, "page", 1000), serverArgs);
        var flushInterval = FlushInterval(serverArgs);
        var report = new Report(load, flushInterval);
        switch (command)
        {
            case "ingest":
                report.Ingest = await Run("ingest", load with { TargetSpansPerSecond = 0 }).ConfigureAwait(false);
                break;
            case "noop":
                report.Noop = await Run("noop", load with { Discard = true, TargetSpansPerSecond = 0 }).ConfigureAwait(false);
                break;
            case "paced":
                report.Paced = await Run("paced", load).ConfigureAwait(false);
                break;
            case "fetch":
                report.Fetch = await RunFetch(fetch).ConfigureAwait(false);
                break;
            case "all":
                report.Noop = await Run("noop", load with { Discard = true, TargetSpansPerSecond = 0 }).ConfigureAwait(false);
                report.Ingest = await Run("ingest", load with { TargetSpansPerSecond = 0 }).ConfigureAwait(false);
                var half = load.TargetSpansPerSecond > 0 ? load.TargetSpansPerSecond : report.Ingest.SpansPerSecond / 2;
                report.Paced = await Run("paced", load with { TargetSpansPerSecond = half }).ConfigureAwait(false);
                // The same pace against the no-op receiver: the latency the machine itself adds.
                report.PacedNoop = await Run("paced-noop", load with { TargetSpansPerSecond = half, Discard = true }).ConfigureAwait(false);
                report.IngestHttp = await Run("ingest-http", load with { Transport = Transport.HttpProtobuf, TargetSpansPerSecond = 0 }).ConfigureAwait(false);
                report.Fetch = await RunFetch(fetch).ConfigureAwait(false);
                break;
            case "sweep":
                var sweep = new List<(double Ms, LoadResult Result)>();
                foreach (var ms in options.GetValueOrDefault("intervals", "200,100,50,20,10,0").Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)))
                {
                    var interval = TimeSpan.FromMilliseconds(ms).ToString("c", CultureInfo.InvariantCulture);
                    sweep.Add((ms, await Run($"sweep {ms} ms", load with { TargetSpansPerSecond = 0, ServerArgs = [.. serverArgs, $"--Oteleport:Storage:FlushInterval={interval}"] }).ConfigureAwait(false)));
                }
                Console.WriteLine();
                Console.WriteLine("| flush interval | spans/s | Export p50 | Export p99 | objects per 1,000 Exports | objects/s | server CPU | other processes |");
                Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
                foreach (var (ms, r) in sweep)
                {
                    var seconds = (r.Settings.Duration + r.Settings.Warmup).TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {ms:N0} ms | {r.SpansPerSecond:N0} | {r.P50Ms:N1} ms | {r.P99Ms:N1} ms | {r.ObjectsPer1000Exports:N1} | {r.Objects / seconds:N1} | {r.ServerCpuPerSecond:N2} | {r.OtherCores:N2} |"));
                }
                return 0;
            default:
                Console.Error.WriteLine($"unknown command '{command}'");
                Console.WriteLine(Usage);
                return 1;
        }
        report.Print(Console.Out);
        return 0;
    }

    private static async Task<LoadResult> Run(string name, LoadSettings settings)
    {
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {name}: {settings.Transport}, {settings.Senders} senders x {settings.SpansPerRequest} spans x {settings.AttributesPerSpan} attributes, {settings.Duration.TotalSeconds} s"
            + (settings.TargetSpansPerSecond > 0 ? $", paced at {settings.TargetSpansPerSecond:N0} spans/s" : ""));
        var result = await LoadRun.RunAsync(settings).ConfigureAwait(false);
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {name}: {result.SpansPerSecond:N0} spans/s, p50 {result.P50Ms:N1} ms, p90 {result.P90Ms:N1} ms, p99 {result.P99Ms:N1} ms, max {result.MaxMs:N1} ms, errors {result.Errors}, objects {result.Objects}, peak {result.PeakServerBytes / 1048576.0:N0} MiB, server CPU {result.ServerCpuPerSecond:N2} cores");
        foreach (var line in result.ServerOutput.Take(5))
        {
            Console.Error.WriteLine("  server: " + line);
        }
        return result;
    }

    private static async Task<FetchResult> RunFetch(FetchSettings settings)
    {
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] fetch: preparing {settings.Spans:N0} spans, then pages of {settings.PageSize}");
        var result = await FetchRun.RunAsync(settings).ConfigureAwait(false);
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] fetch: prepared in {result.PrepareSeconds:N1} s as {result.Objects} objects; store {result.StoreSpansPerSecond:N0} spans/s ({result.StoreSpans:N0}), REST {result.RestSpansPerSecond:N0} spans/s ({result.RestSpans:N0} in {result.RestPages} pages)");
        foreach (var line in result.ServerOutput.Take(5))
        {
            Console.Error.WriteLine("  server: " + line);
        }
        return result;
    }

    private static Dictionary<string, string> Parse(string[] args, out List<string> serverArgs)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        serverArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--Oteleport:", StringComparison.Ordinal))
            {
                serverArgs.Add(args[i]);
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                options[args[i][2..]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }
        }
        return options;
    }

    private static int Int(Dictionary<string, string> o, string key, int fallback) =>
        o.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static double Dbl(Dictionary<string, string> o, string key, double fallback) =>
        o.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The flush interval the server runs with: the argument when given, else the option's default.</summary>
    private static TimeSpan FlushInterval(IEnumerable<string> serverArgs)
    {
        var options = new OteleportOptions();
        foreach (var arg in serverArgs)
        {
            ApplyStorageArg(options, arg);
        }
        return options.Storage.FlushInterval;
    }

    /// <summary>Applies the storage settings of a <c>--Oteleport:Storage:Key=value</c> argument that the in-process store understands.</summary>
    internal static void ApplyStorageArg(OteleportOptions options, string arg)
    {
        const string prefix = "--Oteleport:Storage:";
        if (!arg.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || arg.IndexOf('=', StringComparison.Ordinal) is var eq && eq < 0)
        {
            return;
        }
        var key = arg[prefix.Length..eq];
        var value = arg[(eq + 1)..];
        switch (key.ToLowerInvariant())
        {
            case "flushinterval":
                options.Storage.FlushInterval = TimeSpan.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "maxbatchrecords":
                options.Storage.MaxBatchRecords = int.Parse(value, CultureInfo.InvariantCulture);
                break;
            case "gzip":
                options.Storage.Gzip = bool.Parse(value);
                break;
            case "flatten":
                options.Storage.Flatten = bool.Parse(value);
                break;
            case "compressionlevel":
                options.Storage.CompressionLevel = Enum.Parse<ObjectCompressionLevel>(value, ignoreCase: true);
                break;
            case "readahead":
                options.Storage.ReadAhead = int.Parse(value, CultureInfo.InvariantCulture);
                break;
        }
    }
}
