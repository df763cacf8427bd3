using System.Text;
using Oteleport.Otlp.Json;

namespace Oteleport.Cli.Tests.Support;

/// <summary>What one run of the CLI printed and returned.</summary>
public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Each stdout line parsed as <typeparamref name="T"/>.</summary>
    public List<T> Parse<T>() where T : Google.Protobuf.IMessage<T>, new() =>
        OutLines.Select(line => OtlpJson.Parse<T>(Encoding.UTF8.GetBytes(line))).ToList();

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>Runs the CLI in this process through its entry method, with its own stdout, stderr and environment.</summary>
public static class OteleportCli
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(args, null);

    public static async Task<CliResult> RunAsync(string[] args, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken = default)
    {
        var output = new ConcurrentWriter();
        var error = new ConcurrentWriter();
        var code = await RunAsync(args, output, error, environment, cancellationToken);
        return new CliResult(code, output.Snapshot(), error.Snapshot());
    }

    public static Task<int> RunAsync(string[] args, ConcurrentWriter output, ConcurrentWriter error, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var host = new CliHost
        {
            Out = output,
            Error = error,
            GetEnvironmentVariable = name => environment?.GetValueOrDefault(name),
            ErrorIsTerminal = false,
        };
        return CliApp.RunAsync(args, host, cancellationToken);
    }
}

/// <summary>A text writer that a test may read while the CLI still writes to it.</summary>
public sealed class ConcurrentWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_text)
        {
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_text)
        {
            _text.Append(buffer, index, count);
        }
    }

    public string Snapshot()
    {
        lock (_text)
        {
            return _text.ToString();
        }
    }
}
