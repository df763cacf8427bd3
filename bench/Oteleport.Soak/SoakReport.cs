using System.Globalization;
using System.Text;

namespace Oteleport.Soak;

/// <summary>What a soak saw: every acknowledged record must be fetched back.</summary>
public sealed record SoakReport
{
    public required TimeSpan Elapsed { get; init; }
    public required int RestartsDone { get; init; }
    public required long ExportsAcknowledged { get; init; }
    public required long RecordsAcknowledged { get; init; }
    /// <summary>Distinct records fetched back that a sender had sent.</summary>
    public required long RecordsFetched { get; init; }
    /// <summary>Acknowledged records not fetched back: must be 0.</summary>
    public required long RecordsLost { get; init; }
    /// <summary>Extra copies fetched: an Export whose answer was lost but whose records were stored, then retried.</summary>
    public required long Duplicates { get; init; }
    /// <summary>Records stored although no attempt of their Export was acknowledged (the same cause as duplicates).</summary>
    public required long StoredUnacknowledged { get; init; }
    /// <summary>Attempts answered with a retryable failure (UNAVAILABLE, 503, a timeout, a broken connection).</summary>
    public required long RetryableFailures { get; init; }
    /// <summary>Exports given up after the retry grace: not acknowledged, so not lost.</summary>
    public required long ExportsGivenUp { get; init; }
    /// <summary>Answers that a sender must not retry (a 4xx, a 500, INTERNAL...): each one is a bug.</summary>
    public required IReadOnlyList<string> UnexpectedAnswers { get; init; }

    /// <summary>Nothing acknowledged was lost and nothing was answered that a client could not handle.</summary>
    public bool Passed => RecordsLost == 0 && UnexpectedAnswers.Count == 0 && RecordsAcknowledged > 0;

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder()
            .AppendLine(c, $"soak: {(Passed ? "PASSED" : "FAILED")} in {Elapsed.TotalSeconds:0.0} s, s3rver restarted {RestartsDone} times")
            .AppendLine(c, $"  exports acknowledged   {ExportsAcknowledged}")
            .AppendLine(c, $"  records acknowledged   {RecordsAcknowledged}")
            .AppendLine(c, $"  records fetched        {RecordsFetched}")
            .AppendLine(c, $"  records lost           {RecordsLost}")
            .AppendLine(c, $"  duplicates (retries)   {Duplicates}")
            .AppendLine(c, $"  stored, unacknowledged {StoredUnacknowledged}")
            .AppendLine(c, $"  retryable failures     {RetryableFailures}")
            .AppendLine(c, $"  exports given up       {ExportsGivenUp}")
            .Append(c, $"  unexpected answers     {UnexpectedAnswers.Count}");
        foreach (var answer in UnexpectedAnswers.Take(10))
        {
            text.AppendLine().Append("    ").Append(answer);
        }
        return text.ToString();
    }
}
