using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Oteleport.Server.Tests.Infrastructure;

/// <summary>The OTLP exporter's own diagnostics (its EventSource), where it reports why an export failed.</summary>
internal sealed class ExporterEvents : EventListener
{
    private const string SourceName = "OpenTelemetry-Exporter-OpenTelemetryProtocol";

    public ConcurrentQueue<string> Messages { get; } = new();

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == SourceName)
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventSource.Name != SourceName)
        {
            return;
        }
        var payload = eventData.Payload is null ? "" : string.Join(" | ", eventData.Payload);
        Messages.Enqueue($"{eventData.EventName}: {payload}");
    }

    /// <summary>The messages about exports to one host:port.</summary>
    public List<string> For(string authority) => Messages.Where(m => m.Contains(authority, StringComparison.Ordinal)).ToList();
}
