using Oteleport.Soak;

// dotnet run --project bench/Oteleport.Soak -- --duration 60 --restarts 4
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("""
        Usage: dotnet run --project bench/Oteleport.Soak -- [--duration SECONDS] [--restarts N] [--outage SECONDS]
                                                           [--grpc N] [--http N] [--records N]

        Runs the standalone server on loopback over an s3rver bucket (Node.js and npm needed), sends spans and
        log records over OTLP gRPC and HTTP with retries while s3rver is stopped and started N times, then
        fetches everything back. Exit code 0 when no acknowledged record is lost. Defaults: 60 s, 4 restarts
        of 2 s, 4 gRPC and 4 HTTP senders, 20 records an Export.
        """);
    return 0;
}
SoakSettings settings;
try
{
    settings = SoakSettings.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"soak: {ex.Message}");
    return 2;
}
var report = await SoakRun.RunAsync(settings, Console.Out);
Console.WriteLine(report);
return report.Passed ? 0 : 1;
