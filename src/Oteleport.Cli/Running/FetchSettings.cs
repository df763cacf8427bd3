using Oteleport.Cli.Replay;
using Oteleport.Query;

namespace Oteleport.Cli.Running;

/// <summary>How records are written to stdout.</summary>
internal enum OutputMode
{
    /// <summary>One OTLP JSON document (TracesData, MetricsData, LogsData) per page, one per line.</summary>
    Json,

    /// <summary>One record per line: a resource group holding exactly one record with its scope (and metric).</summary>
    JsonLines,
}

/// <summary>Everything one <c>oteleport traces|metrics|logs</c> (or <c>trace</c>) run needs, resolved from the command line, environment and profile.</summary>
internal sealed record FetchSettings
{
    public required Uri Endpoint { get; init; }
    public string? AccessKey { get; init; }
    public required string AccessKeyHeader { get; init; }

    /// <summary>The first record time, inclusive; 0 only for a trace lookup (the server's window before the end).</summary>
    public required ulong StartTimeUnixNano { get; init; }

    /// <summary>The last record time, inclusive; 0: now at the server (not with follow).</summary>
    public ulong EndTimeUnixNano { get; init; }

    /// <summary>Records per page; 0: the server's default.</summary>
    public long Limit { get; init; }

    public bool Follow { get; init; }
    public TimeSpan FollowLag { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>What goes to stdout; null: nothing (a replay without <c>--output</c>).</summary>
    public OutputMode? Output { get; init; }

    /// <summary>Whether to move timestamps; <see cref="TimeShiftTarget"/> 0 means "now".</summary>
    public bool TimeShift { get; init; }
    public ulong TimeShiftTarget { get; init; }

    public bool Progress { get; init; }

    /// <summary>Where to replay to; null: no replay.</summary>
    public OtlpExportSettings? Replay { get; init; }

    /// <summary>The record filters, sent unchanged with every page of every window; none by default.</summary>
    public FetchFilter Filter { get; init; } = FetchFilter.None;

    /// <summary>The trace of <c>oteleport trace</c> (upper-case hex); null for the signal commands.</summary>
    public string? LookupTraceId { get; init; }
}
