namespace Oteleport.Cli.Settings;

/// <summary>The command line, environment or profile asks for something impossible: exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
