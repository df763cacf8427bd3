using System.Globalization;
using Oteleport.Server;
using Oteleport.Testing;
using Oteleport.Testing.Fuzzing;

// dotnet run --project bench/Oteleport.Fuzz -c Release -- --iterations 1000000 [--target json|cursor|http|all] [--seed N] [--parallelism N]
const string Usage = """
    Usage: dotnet run --project bench/Oteleport.Fuzz -c Release -- [--iterations N] [--target json|cursor|http|all]
                                                                  [--seed N] [--parallelism N]

    Mutated and random inputs, seeded from valid documents, against the OTLP JSON codec (json), the cursor
    decoder (cursor) and the OTLP/HTTP and REST endpoints of the standalone server on loopback (http).
    Iteration n of a seed is always the same input, so a failure is reproduced by its seed and iteration.
    Exit code 0 when nothing failed. Defaults: 100000 iterations of every target, seed 20241023.
    """;
var iterations = 100_000;
var target = "all";
var seed = new FuzzOptions().Seed;
var parallelism = Environment.ProcessorCount;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i]} needs a positive whole number");
        switch (args[i])
        {
            case "--iterations": iterations = Number(); break;
            case "--seed": seed = Number(); break;
            case "--parallelism": parallelism = Number(); break;
            case "--target": target = Value(); break;
            case "-h" or "--help": Console.WriteLine(Usage); return 0;
            default: throw new ArgumentException($"unknown option {args[i]}");
        }
    }
    if (target is not ("json" or "cursor" or "http" or "all"))
    {
        throw new ArgumentException($"--target is json, cursor, http or all, not {target}");
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"fuzz: {ex.Message}\n\n{Usage}");
    return 2;
}

var options = new FuzzOptions { Iterations = iterations, Budget = TimeSpan.FromDays(1), Seed = seed, Parallelism = parallelism };
var reports = new List<FuzzReport>();
if (target is "json" or "all")
{
    reports.Add(await Fuzzer.RunAsync("OtlpJson.Parse", options, FuzzTargets.NextJson, FuzzTargets.CheckJson, c => $"{c.TypeName} {Fuzzer.Describe(c.Json)}"));
    Console.WriteLine(reports[^1]);
}
if (target is "cursor" or "all")
{
    var cursors = new FuzzTargets.CursorTarget();
    reports.Add(await Fuzzer.RunAsync("AesGcmCursorCodec.Decode", options, cursors.Next, cursors.Check, c => c.Cursor));
    Console.WriteLine(reports[^1]);
}
if (target is "http" or "all")
{
    using var folder = new TempFolder("fuzz-server");
    var (grpc, http, api) = (FreePort.Next(), FreePort.Next(), FreePort.Next());
    await using var app = OteleportServer.Build(
    [
        $"--Oteleport:Storage:Location={folder.Path}",
        "--Oteleport:Storage:FlushInterval=00:00:00",
        "--Oteleport:Limits:MaxRequestBytes=1048576",
        $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{grpc}",
        $"--Oteleport:Otlp:Http:Address=127.0.0.1:{http}",
        $"--Oteleport:Api:Http:Address=127.0.0.1:{api}",
        "--Logging:LogLevel:Default=Error",
    ]);
    await app.StartAsync();
    using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    var endpoints = new FuzzTargets.HttpTarget(client, new Uri($"http://127.0.0.1:{http}"), new Uri($"http://127.0.0.1:{api}"));
    reports.Add(await Fuzzer.RunAsync("OTLP/HTTP and REST endpoints", options, FuzzTargets.HttpTarget.Next, endpoints.Check, c => c.ToString()));
    Console.WriteLine(reports[^1]);
    await app.StopAsync();
}
return reports.All(r => r.Failures.Count == 0) ? 0 : 1;
