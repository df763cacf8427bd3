using System.Globalization;

namespace Oteleport.Soak;

/// <summary>How long and how hard the soak runs.</summary>
public sealed record SoakSettings
{
    /// <summary>How long senders start new Exports (default 60 s); retries of the last ones may run a little past it.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How many times s3rver is stopped and started again during <see cref="Duration"/>.</summary>
    public int Restarts { get; init; } = 4;

    /// <summary>How long s3rver stays down each time.</summary>
    public TimeSpan Outage { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Senders over OTLP gRPC.</summary>
    public int GrpcSenders { get; init; } = 4;

    /// <summary>Senders over OTLP/HTTP (protobuf and JSON, gzip or not, in turn).</summary>
    public int HttpSenders { get; init; } = 4;

    /// <summary>Records (spans or log records) in one Export.</summary>
    public int RecordsPerExport { get; init; } = 20;

    /// <summary>How long an Export is retried after <see cref="Duration"/> before the sender gives up on it.</summary>
    public TimeSpan RetryGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads <c>--duration 60</c> (seconds, or hh:mm:ss), <c>--restarts</c>, <c>--outage</c>, <c>--grpc</c>, <c>--http</c>, <c>--records</c>.</summary>
    public static SoakSettings Parse(string[] args)
    {
        var settings = new SoakSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            settings = args[i] switch
            {
                "--duration" => settings with { Duration = Time(Value()) },
                "--restarts" => settings with { Restarts = Count(Value(), 0) },
                "--outage" => settings with { Outage = Time(Value()) },
                "--grpc" => settings with { GrpcSenders = Count(Value(), 0) },
                "--http" => settings with { HttpSenders = Count(Value(), 0) },
                "--records" => settings with { RecordsPerExport = Count(Value(), 1) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        if (settings.GrpcSenders + settings.HttpSenders == 0)
        {
            throw new ArgumentException("--grpc and --http cannot both be 0");
        }
        if (settings.Duration > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentException("--duration is at most 10 minutes: the soak is a bounded run");
        }
        return settings;
    }

    private static TimeSpan Time(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var time) && time > TimeSpan.Zero
                ? time
                : throw new ArgumentException($"'{text}' is not a duration (seconds or hh:mm:ss)");

    private static int Count(string text, int min) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"'{text}' is not a whole number of at least {min}");
}
