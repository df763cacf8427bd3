namespace Oteleport.Signals;

/// <summary>The three OpenTelemetry signals.</summary>
public enum SignalType
{
    /// <summary>Spans.</summary>
    Traces,
    /// <summary>Metric data points.</summary>
    Metrics,
    /// <summary>Log records.</summary>
    Logs,
}
