using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Oteleport.Benchmarks.Load;

/// <summary>
/// The standalone server (samples/Oteleport.Server, built in Release) as a child process on free loopback
/// ports with a folder store, so that its memory is its own: peak working set is VmHWM of /proc/PID/status.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _errors = new();
    private bool _disposed;

    private ServerProcess(Process process, int grpcPort, int httpPort, int apiPort)
    {
        _process = process;
        GrpcPort = grpcPort;
        HttpPort = httpPort;
        ApiPort = apiPort;
    }

    public int GrpcPort { get; }
    public int HttpPort { get; }
    public int ApiPort { get; }
    public int Pid => _process.Id;

    public static async Task<ServerProcess> StartAsync(string dataFolder, IEnumerable<string> extraArgs)
    {
        var dll = Paths.ServerDll();
        var (grpc, http, api) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in new[]
        {
            $"--Oteleport:Storage:Location={dataFolder}",
            $"--Oteleport:Otlp:Grpc:Address=127.0.0.1:{grpc}",
            $"--Oteleport:Otlp:Http:Address=127.0.0.1:{http}",
            $"--Oteleport:Api:Http:Address=127.0.0.1:{api}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Oteleport=Warning",
        }.Concat(extraArgs))
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start the server");
        var server = new ServerProcess(process, grpc, http, api);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitHealthyAsync().ConfigureAwait(false);
        return server;
    }

    private void Keep(string? line)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }
        lock (_errors)
        {
            if (_errors.Count < 50)
            {
                _errors.Add(line);
            }
        }
    }

    /// <summary>What the server printed (warnings and errors only, by its log level).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToArray();
            }
        }
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {_process.ExitCode}: {string.Join(Environment.NewLine, Output)}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{ApiPort}/health")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
        throw new TimeoutException("the server did not become healthy within 60 s");
    }

    /// <summary>Peak resident set size of the server so far, in bytes (VmHWM).</summary>
    public long PeakWorkingSet() => ReadStatusKb("VmHWM:") * 1024;

    /// <summary>Resident set size now, in bytes (VmRSS).</summary>
    public long WorkingSet() => ReadStatusKb("VmRSS:") * 1024;

    private long ReadStatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var parts = line[field.Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return 0;
    }

    /// <summary>CPU seconds used by the server so far (user + system).</summary>
    public double CpuSeconds()
    {
        _process.Refresh();
        return _process.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>SIGTERM, so the server flushes its open batches, then waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync().ConfigureAwait(false);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

internal static class Paths
{
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Oteleport.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("cannot find Oteleport.sln above " + AppContext.BaseDirectory);
    }

    public static string ServerDll()
    {
        var fromEnv = Environment.GetEnvironmentVariable("OTELEPORT_BENCH_SERVER_DLL");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }
        var dll = Path.Combine(RepositoryRoot(), "samples", "Oteleport.Server", "bin", "Release", "net10.0", "oteleport-server.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"build the server first: dotnet build samples/Oteleport.Server -c Release ({dll} is missing)");
        }
        return dll;
    }

    public static string NewTempFolder(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"oteleport-bench-{name}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Stored objects under a signal folder (temporary files and the cursor key excluded).</summary>
    public static int CountObjects(string dataFolder, string signalFolder) =>
        Directory.Exists(Path.Combine(dataFolder, signalFolder))
            ? Directory.EnumerateFiles(Path.Combine(dataFolder, signalFolder), "*.json*", SearchOption.AllDirectories).Count(f => !Path.GetFileName(f).StartsWith('.'))
            : 0;
}
