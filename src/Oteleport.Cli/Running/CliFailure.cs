namespace Oteleport.Cli.Running;

/// <summary>The run failed for a reason worth one line on stderr: exit code 1.</summary>
internal sealed class CliFailure(string message, Exception? inner = null) : Exception(message, inner);
