using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Testing;

namespace Oteleport.Cli.Tests.Support;

/// <summary>Test data with every kind of timestamp filled in.</summary>
public static class Ingest
{
    public static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Spans as <see cref="TestSignals.Spans"/>, each with two events.</summary>
    public static TracesData SpansWithEvents(int count, DateTimeOffset first, TimeSpan spacing, int offset = 0)
    {
        var data = TestSignals.Spans(count, first, spacing, offset: offset);
        foreach (var span in TestSignals.AllSpans(data.ResourceSpans))
        {
            span.Events.Add(new Span.Types.Event { Name = "begin", TimeUnixNano = span.StartTimeUnixNano + 10 });
            span.Events.Add(new Span.Types.Event { Name = "end", TimeUnixNano = span.EndTimeUnixNano - 10, Attributes = { TestSignals.Attr("k", "v") } });
            span.Links.Add(new Span.Types.Link { TraceId = TestSignals.TraceId(99), SpanId = TestSignals.SpanId(98) });
            span.Status = new Status { Code = Status.Types.StatusCode.Ok };
        }
        return data;
    }

    /// <summary>Log records as <see cref="TestSignals.Logs"/>, each observed 1 ms after its time.</summary>
    public static LogsData LogsObserved(int count, DateTimeOffset first, TimeSpan spacing, string prefix = "log")
    {
        var data = TestSignals.Logs(count, first, spacing);
        var i = 0;
        foreach (var log in data.ResourceLogs.SelectMany(r => r.ScopeLogs).SelectMany(s => s.LogRecords))
        {
            log.ObservedTimeUnixNano = log.TimeUnixNano + 1_000_000;
            log.Body = new AnyValue { StringValue = $"{prefix}-{i++}" };
            log.TraceId = TestSignals.TraceId(i);
            log.SpanId = TestSignals.SpanId(i);
        }
        return data;
    }
}
