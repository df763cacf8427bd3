using System.Globalization;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Cli.Settings;

/// <summary>The values of the filter options: <c>key=value</c> attributes, trace ids, span kinds and severities.</summary>
internal static class FilterSyntax
{
    private static readonly (string Name, Span.Types.SpanKind Kind)[] Kinds =
    [
        ("server", Span.Types.SpanKind.Server),
        ("client", Span.Types.SpanKind.Client),
        ("internal", Span.Types.SpanKind.Internal),
        ("producer", Span.Types.SpanKind.Producer),
        ("consumer", Span.Types.SpanKind.Consumer),
    ];

    // The first number of each range of the OpenTelemetry log data model (TRACE 1-4, DEBUG 5-8, ...).
    private static readonly (string Name, SeverityNumber Number)[] Severities =
    [
        ("trace", SeverityNumber.Trace),
        ("debug", SeverityNumber.Debug),
        ("info", SeverityNumber.Info),
        ("warn", SeverityNumber.Warn),
        ("error", SeverityNumber.Error),
        ("fatal", SeverityNumber.Fatal),
    ];

    /// <summary>
    /// <c>key=value</c> (split at the first <c>=</c>; the value may be empty) as a string attribute, which the
    /// server matches against any attribute with that text form (<c>500</c> matches the integer 500).
    /// </summary>
    public static KeyValue Attribute(string option, string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new UsageException($"{option}: '{text}' is not key=value");
        }
        return new KeyValue { Key = text[..equals], Value = new AnyValue { StringValue = text[(equals + 1)..] } };
    }

    /// <summary>A trace id: 32 hex digits, either case. <paramref name="option"/> is null for an argument.</summary>
    public static ByteString TraceId(string? option, string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length != 32 || !trimmed.All(char.IsAsciiHexDigit))
        {
            throw new UsageException($"{(option is null ? "" : option + ": ")}'{text}' is not a trace id: use 32 hex digits");
        }
        return ByteString.CopyFrom(Convert.FromHexString(trimmed));
    }

    /// <summary>server, client, internal, producer or consumer (any case).</summary>
    public static Span.Types.SpanKind Kind(string option, string text)
    {
        foreach (var (name, kind) in Kinds)
        {
            if (name.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }
        throw new UsageException($"{option}: '{text}' is not a span kind: server, client, internal, producer or consumer");
    }

    /// <summary>trace, debug, info, warn, error or fatal (the lowest number of that range), or a severity number 1-24.</summary>
    public static SeverityNumber Severity(string option, string text)
    {
        var trimmed = text.Trim();
        foreach (var (name, number) in Severities)
        {
            if (name.Equals(trimmed, StringComparison.OrdinalIgnoreCase))
            {
                return number;
            }
        }
        if (int.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 24)
        {
            return (SeverityNumber)n;
        }
        throw new UsageException($"{option}: '{text}' is not a severity: trace, debug, info, warn, error, fatal or a number 1-24");
    }

    /// <summary>A text filter: not empty (an empty one would filter nothing, which is not what was asked).</summary>
    public static string NonEmpty(string option, string text) =>
        text.Length > 0 ? text : throw new UsageException($"{option} needs a value");
}
