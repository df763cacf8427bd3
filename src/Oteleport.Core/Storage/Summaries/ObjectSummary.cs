using System.Text.Json;
using System.Text.Json.Serialization;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Query;
using Oteleport.Signals;

namespace Oteleport.Storage.Summaries;

/// <summary>
/// What an object holds, in under 2 KB of ASCII JSON (it travels as S3 user metadata): the record
/// count and time range, the service names, a Bloom filter of trace ids, metric names and the highest
/// log severity. Fetch reads it instead of the object when it proves that nothing inside can match.
/// Objects without one (written by the Go server, or before summaries) are always read.
/// </summary>
internal sealed class ObjectSummary
{
    // S3 allows 2 KB of user metadata in all; stay well inside it.
    private const int MaxBytes = 1800;
    private const int MaxBloomBytes = 900;

    [JsonPropertyName("v")] public int Version { get; init; } = 1;
    [JsonPropertyName("n")] public int Records { get; init; }
    [JsonPropertyName("t0")] public ulong MinTime { get; init; }
    [JsonPropertyName("t1")] public ulong MaxTime { get; init; }
    /// <summary>Every service name, or null when they did not fit (then no skipping by service).</summary>
    [JsonPropertyName("svc")] public List<string>? Services { get; init; }
    [JsonPropertyName("tb")] public byte[]? TraceBloom { get; init; }
    [JsonPropertyName("tk")] public int TraceBloomHashes { get; init; }
    /// <summary>Every metric name, or null when they did not fit.</summary>
    [JsonPropertyName("mn")] public List<string>? MetricNames { get; init; }
    [JsonPropertyName("sev")] public int MaxSeverity { get; init; }

    public static string Build(SignalType signal, IReadOnlyList<SignalRecord> records)
    {
        ulong min = ulong.MaxValue, max = 0;
        var services = new HashSet<string>(StringComparer.Ordinal);
        var traceIds = new HashSet<Google.Protobuf.ByteString>();
        var metricNames = new HashSet<string>(StringComparer.Ordinal);
        var maxSeverity = 0;
        var timeless = false;
        foreach (var record in records)
        {
            if (record.TimeUnixNano == 0)
            {
                timeless = true;
            }
            else
            {
                min = Math.Min(min, record.TimeUnixNano);
                max = Math.Max(max, record.TimeUnixNano);
            }
            if (RecordMatcher.ServiceNameOf(RecordMatcher.ResourceOf(record.Resource)) is { } service)
            {
                services.Add(service);
            }
            switch (record.Item)
            {
                case Span span when !span.TraceId.IsEmpty:
                    traceIds.Add(span.TraceId);
                    break;
                case LogRecord log:
                    if (!log.TraceId.IsEmpty)
                    {
                        traceIds.Add(log.TraceId);
                    }
                    maxSeverity = Math.Max(maxSeverity, (int)log.SeverityNumber);
                    break;
            }
            if (record.Metric is Metric metric)
            {
                metricNames.Add(metric.Name);
            }
        }
        byte[]? bloomBits = null;
        var hashes = 0;
        if (signal != SignalType.Metrics)
        {
            var bloom = BloomFilter.For(traceIds.Count, MaxBloomBytes);
            foreach (var id in traceIds)
            {
                bloom.Add(id.Span);
            }
            bloomBits = bloom.Bits;
            hashes = bloom.HashCount;
        }
        var summary = new ObjectSummary
        {
            Records = records.Count,
            // A record without a time is matched by any range: widen to everything.
            MinTime = timeless || min == ulong.MaxValue ? 0 : min,
            MaxTime = timeless ? ulong.MaxValue : max,
            Services = [.. services.Order(StringComparer.Ordinal)],
            TraceBloom = bloomBits,
            TraceBloomHashes = hashes,
            MetricNames = signal == SignalType.Metrics ? [.. metricNames.Order(StringComparer.Ordinal)] : null,
            MaxSeverity = maxSeverity,
        };
        var json = Serialize(summary);
        if (json.Length > MaxBytes)
        {
            // Too many names to list: keep what still allows skipping by time and trace id.
            json = Serialize(new ObjectSummary
            {
                Records = summary.Records, MinTime = summary.MinTime, MaxTime = summary.MaxTime,
                TraceBloom = summary.TraceBloom, TraceBloomHashes = summary.TraceBloomHashes, MaxSeverity = summary.MaxSeverity,
            });
        }
        return json;
    }

    public static ObjectSummary? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        try
        {
            var summary = JsonSerializer.Deserialize(text, SummaryJsonContext.Default.ObjectSummary);
            return summary?.Version == 1 ? summary : null;
        }
        catch (JsonException)
        {
            return null; // an unreadable summary only means the object is read
        }
    }

    /// <summary>False only when no record of the object can match the range and filter.</summary>
    public bool CanMatch(SignalType signal, ulong start, ulong end, FetchFilter filter)
    {
        if (MaxTime < start || MinTime > end)
        {
            return false;
        }
        if (!string.IsNullOrEmpty(filter.ServiceName) && Services is not null && !Services.Contains(filter.ServiceName, StringComparer.Ordinal))
        {
            return false;
        }
        if (signal != SignalType.Metrics && filter.TraceId is { IsEmpty: false } traceId && TraceBloom is not null
            && !new BloomFilter(TraceBloom, TraceBloomHashes).MightContain(traceId.Span))
        {
            return false;
        }
        if (signal == SignalType.Metrics && !string.IsNullOrEmpty(filter.MetricName) && MetricNames is not null && !MetricNames.Contains(filter.MetricName, StringComparer.Ordinal))
        {
            return false;
        }
        if (signal == SignalType.Logs && filter.MinSeverity != SeverityNumber.Unspecified && MaxSeverity < (int)filter.MinSeverity)
        {
            return false;
        }
        return true;
    }

    private static string Serialize(ObjectSummary summary) => JsonSerializer.Serialize(summary, SummaryJsonContext.Default.ObjectSummary);
}

// The default encoder escapes every non-ASCII character, so the JSON is a valid HTTP header value.
[JsonSerializable(typeof(ObjectSummary))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
