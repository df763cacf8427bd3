using System.Globalization;

namespace Oteleport.Signals;

/// <summary>
/// The Go server's bucket layout, kept so that both can share a bucket:
/// <c>{signal}/{yyyy}/{MM}/{dd}/{HH}/{spans|data-points|records}-{yyyyMMddHHmmss}-{random8}.json[.gz]</c>.
/// </summary>
internal static class SignalLayout
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string FolderName(SignalType signal) => signal switch
    {
        SignalType.Traces => "traces",
        SignalType.Metrics => "metrics",
        _ => "logs",
    };

    public static string FilePrefix(SignalType signal) => signal switch
    {
        SignalType.Traces => "spans",
        SignalType.Metrics => "data-points",
        _ => "records",
    };

    /// <summary>The key prefix of one partition, ending in '/'.</summary>
    public static string PartitionPrefix(SignalType signal, string partition) => $"{FolderName(signal)}/{partition}/";

    /// <summary>A new object key; <paramref name="writtenAt"/> is the write time in the partition zone.</summary>
    public static string NewObjectKey(SignalType signal, string partition, DateTimeOffset writtenAt, bool gzip)
    {
        Span<char> random = stackalloc char[8];
        for (var i = 0; i < random.Length; i++)
        {
            random[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
        }
        var stamp = writtenAt.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        return $"{PartitionPrefix(signal, partition)}{FilePrefix(signal)}-{stamp}-{random}.json{(gzip ? ".gz" : "")}";
    }
}
