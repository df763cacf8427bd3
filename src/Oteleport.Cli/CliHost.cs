namespace Oteleport.Cli;

/// <summary>What the CLI sees of its process: output streams, environment, clock. Tests run it in-process with their own.</summary>
internal sealed class CliHost
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }

    /// <summary>Looks up an environment variable; null when unset.</summary>
    public required Func<string, string?> GetEnvironmentVariable { get; init; }

    /// <summary>Whether stderr is a terminal (progress is shown then, and redrawn in place).</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>Whether stdout is a terminal too (progress would then tangle with the records, so it is not shown unasked).</summary>
    public bool OutIsTerminal { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The real process: UTF-8 console streams and the process environment.</summary>

    /// <summary>An environment variable, or null when unset or blank.</summary>
    public string? Env(string name) => GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null;
}
