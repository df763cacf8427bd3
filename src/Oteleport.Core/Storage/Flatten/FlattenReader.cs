using System.Text.Json;
using Oteleport.Otlp.Json;
using Oteleport.Proto.V1;
using Oteleport.Signals;

namespace Oteleport.Storage.Flatten;

/// <summary>
/// Reads a flatten object: JSON lines of one FlattenSpan, FlattenDataPoint or FlattenLogRecord each, as
/// this server and the Go server write them (separated by newlines, blank lines and a final newline
/// allowed). Any whitespace separates the values, so pretty-printed records read too.
/// </summary>
internal static class FlattenReader
{
    private static readonly JsonReaderOptions LineOptions = new()
    {
        // Each line is one JSON value; whitespace (blank lines included) separates them.
        AllowMultipleValues = true,
        MaxDepth = OtlpJson.StoredMaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>
    /// Appends the object's records in line order, the n-th record being the n-th non-blank line (the
    /// record offset a cursor keeps). Lines with equal resources, scopes and metrics share the container
    /// instances, so that consecutive ones regroup. Nothing is appended when a line is malformed.
    /// </summary>
    /// <exception cref="OtlpJsonException">A line is not valid JSON or not a valid flattened record.</exception>
    /// <exception cref="InvalidDataException">A line is not a JSON object, or a data point names no metric kind.</exception>
    public static void Collect(SignalType signal, ReadOnlySpan<byte> content, List<SignalRecord> records)
    {
        if (content is [0xEF, 0xBB, 0xBF, ..])
        {
            content = content[3..];
        }
        var read = new List<SignalRecord>();
        var containers = new FlattenContainers();
        var reader = new Utf8JsonReader(content, LineOptions);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException($"line {read.Count + 1} of a flatten object is not a JSON object");
            }
            try
            {
                read.Add(signal switch
                {
                    SignalType.Traces => FlattenRecords.FromFlatten(OtlpJson.Parse<FlattenSpan>(ref reader), containers),
                    SignalType.Metrics => FlattenRecords.FromFlatten(OtlpJson.Parse<FlattenDataPoint>(ref reader), containers),
                    _ => FlattenRecords.FromFlatten(OtlpJson.Parse<FlattenLogRecord>(ref reader), containers),
                });
            }
            catch (OtlpJsonException e)
            {
                throw e.Within($"[{read.Count}]");
            }
        }
        records.AddRange(read);
    }
}
