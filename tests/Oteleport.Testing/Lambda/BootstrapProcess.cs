using System.Diagnostics;
using System.Text;

namespace Oteleport.Testing.Lambda;

/// <summary>A published <c>bootstrap</c> running as Lambda would run it: in its folder, with AWS_LAMBDA_RUNTIME_API set.</summary>
public sealed class BootstrapProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BootstrapProcess(Process process) => _process = process;

    /// <summary>When the process was started (a timestamp of <see cref="Stopwatch"/>).</summary>
    public long StartedAt { get; private set; }

    /// <summary>Whether it has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>What it printed, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts the executable with the runtime API address and extra environment variables.</summary>
    public static BootstrapProcess Start(string bootstrap, string runtimeApi, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(bootstrap)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(bootstrap)!,
        };
        info.Environment["AWS_LAMBDA_RUNTIME_API"] = runtimeApi;
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        var process = new Process { StartInfo = info };
        var running = new BootstrapProcess(process);
        process.OutputDataReceived += (_, e) => running.Append(e.Data);
        process.ErrorDataReceived += (_, e) => running.Append(e.Data);
        running.StartedAt = Stopwatch.GetTimestamp();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Kills the process (Lambda ends an execution environment the same way).</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }
}
