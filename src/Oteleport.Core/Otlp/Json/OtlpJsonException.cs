namespace Oteleport.Otlp.Json;

/// <summary>
/// An OTLP JSON document could not be read: malformed JSON, a value of the wrong JSON type,
/// a bad id, a number out of range, an unknown enum name. The message starts with the JSON path
/// of the offending value, e.g. <c>resourceSpans[0].scopeSpans[0].spans[3].traceId: expected 32 hex digits</c>.
/// </summary>
public sealed class OtlpJsonException : FormatException
{
    /// <summary>Creates the exception for a problem at <paramref name="path"/>.</summary>
    /// <param name="path">The JSON path of the offending value (lowerCamelCase names, <c>[i]</c> for array elements); empty for the document itself.</param>
    /// <param name="reason">What is wrong, without the path.</param>
    /// <param name="innerException">The underlying error, e.g. the JSON reader's, or null.</param>
    public OtlpJsonException(string path, string reason, Exception? innerException = null)
        : base(Compose(path, reason), innerException)
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>The JSON path of the offending value, e.g. <c>resourceLogs[0].scopeLogs[1].logRecords[0].spanId</c>; empty for the document itself.</summary>
    public string Path { get; }

    /// <summary>What is wrong, without the path.</summary>
    public string Reason { get; }

    /// <summary>The same problem seen from the enclosing value: <paramref name="segment"/> (a field name or <c>[i]</c>) goes in front of the path.</summary>
    internal OtlpJsonException Within(string segment)
    {
        string path;
        if (Path.Length == 0)
        {
            path = segment;
        }
        else if (Path[0] == '[')
        {
            path = segment + Path;
        }
        else
        {
            path = segment + "." + Path;
        }
        return new OtlpJsonException(path, Reason, InnerException);
    }

    private static string Compose(string path, string reason) =>
        path.Length == 0 ? reason : path + ": " + reason;
}
