using System.Globalization;
using System.Text;
using Google.Protobuf;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace Oteleport.Query;

/// <summary>
/// Record-level filters beyond the time range. Every filter that is set must hold for a record;
/// an empty filter matches everything (the Go server's behaviour). Filters that do not apply to a
/// signal (a span kind on logs) are ignored for it.
/// </summary>
public sealed record FetchFilter
{
    /// <summary>The filter that matches every record.</summary>
    public static readonly FetchFilter None = new();

    /// <summary>Resource attribute <c>service.name</c> equals this.</summary>
    public string? ServiceName { get; init; }

    /// <summary>
    /// Resource attributes that must be present with these values. A string value also matches an
    /// attribute of another type whose text form is equal (<c>"500"</c> matches the integer 500).
    /// </summary>
    public IReadOnlyList<KeyValue> ResourceAttributes { get; init; } = [];

    /// <summary>Record attributes (span, data point, log record) that must be present with these values, matched as <see cref="ResourceAttributes"/>.</summary>
    public IReadOnlyList<KeyValue> Attributes { get; init; } = [];

    /// <summary>Spans with exactly this name.</summary>
    public string? SpanName { get; init; }

    /// <summary>Spans and log records of this trace.</summary>
    public ByteString? TraceId { get; init; }

    /// <summary>Spans of this kind.</summary>
    public Span.Types.SpanKind? SpanKind { get; init; }

    /// <summary>Spans with this status code (<c>Error</c> for errors only).</summary>
    public Status.Types.StatusCode? StatusCode { get; init; }

    /// <summary>Log records at or above this severity; <c>Unspecified</c> means any.</summary>
    public SeverityNumber MinSeverity { get; init; }

    /// <summary>Log records whose body, as text, contains this (ordinal, case-sensitive).</summary>
    public string? BodyContains { get; init; }

    /// <summary>Data points of the metric with exactly this name.</summary>
    public string? MetricName { get; init; }

    /// <summary>True when no filter is set.</summary>
    public bool IsEmpty =>
        string.IsNullOrEmpty(ServiceName) && ResourceAttributes.Count == 0 && Attributes.Count == 0
        && string.IsNullOrEmpty(SpanName) && (TraceId is null || TraceId.IsEmpty) && SpanKind is null && StatusCode is null
        && MinSeverity == SeverityNumber.Unspecified && string.IsNullOrEmpty(BodyContains) && string.IsNullOrEmpty(MetricName);

    /// <summary>A stable text form, which binds a cursor to its filters.</summary>
    internal string Canonical()
    {
        if (IsEmpty)
        {
            return "";
        }
        var text = new StringBuilder();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                text.Append('|').Append(name).Append('=').Append(value.Length).Append(':').Append(value);
            }
        }
        Add("service", ServiceName);
        foreach (var kv in ResourceAttributes)
        {
            Add("resource", kv.ToByteString().ToBase64());
        }
        foreach (var kv in Attributes)
        {
            Add("attribute", kv.ToByteString().ToBase64());
        }
        Add("span", SpanName);
        Add("trace", TraceId is { IsEmpty: false } id ? Convert.ToHexString(id.Span) : null);
        Add("kind", SpanKind is { } kind ? ((int)kind).ToString(CultureInfo.InvariantCulture) : null);
        Add("status", StatusCode is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : null);
        Add("severity", MinSeverity != SeverityNumber.Unspecified ? ((int)MinSeverity).ToString(CultureInfo.InvariantCulture) : null);
        Add("body", BodyContains);
        Add("metric", MetricName);
        return text.ToString();
    }
}
