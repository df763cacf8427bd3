using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Oteleport.Options;

namespace Oteleport.Testing;

/// <summary>
/// Runs s3rver (an S3-compatible server on Node.js, pinned by <c>tests/Oteleport.Testing/s3rver/</c>)
/// on 127.0.0.1 with a free port and a temporary data folder. It can be stopped and started again on
/// the same port and folder to play an outage. Node.js 20+ and npm must be on PATH; s3rver itself is
/// installed from the committed lock file on first use.
/// </summary>
public sealed class S3rverServer : IDisposable
{
    /// <summary>The access key id s3rver accepts.</summary>
    public const string AccessKeyId = "S3RVER";

    /// <summary>The secret access key s3rver accepts.</summary>
    public const string SecretAccessKey = "S3RVER";

    private const string MissingNode = "Node.js 20+ and npm are needed to run the S3 tests: apt-get install nodejs npm";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly object InstallGate = new();
    private static string? s_installedScript;

    private readonly string _script;
    private readonly OutputTail _output = new();
    private Process? _process;
    private bool _disposed;

    private S3rverServer(string script, int port, string dataDirectory)
    {
        _script = script;
        Port = port;
        DataDirectory = dataDirectory;
    }

    /// <summary>The port s3rver listens on (kept across <see cref="Stop"/> and <see cref="StartAsync"/>).</summary>
    public int Port { get; }

    /// <summary>The endpoint, <c>http://127.0.0.1:port</c>.</summary>
    public Uri Endpoint => new($"http://127.0.0.1:{Port}");

    /// <summary>The folder where s3rver keeps buckets and objects.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether the server process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last lines s3rver printed, for failure messages.</summary>
    public string RecentOutput => _output.ToString();

    /// <summary>Installs s3rver if needed, starts it and waits until it answers.</summary>
    public static async Task<S3rverServer> StartNewAsync(CancellationToken cancellationToken = default)
    {
        var script = EnsureInstalled();
        var data = Path.Combine(Path.GetTempPath(), "oteleport-s3rver-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(data);
        var server = new S3rverServer(script, FreePort.Next(), data);
        try
        {
            await server.StartAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and data folder and waits until it answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (IsRunning)
        {
            return;
        }

        var info = new ProcessStartInfo(FindOnPath("node") ?? FailMissingNode())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        // s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+)
        // only offers through its legacy provider: without this flag every truncated listing is an
        // InternalError.
        foreach (var arg in new[]
                 {
                     "--openssl-legacy-provider", _script, "--directory", DataDirectory, "--address", "127.0.0.1", "--port",
                     Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                Assert.Fail($"s3rver exited with code {process.ExitCode} while starting on port {Port}:\n{RecentOutput}");
            }

            try
            {
                using var response = await http.GetAsync(Endpoint, cancellationToken).ConfigureAwait(false);
                return; // any HTTP answer: it is listening
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (deadline.Elapsed >= StartTimeout)
                {
                    Stop();
                    Assert.Fail($"s3rver did not answer on {Endpoint} within {StartTimeout.TotalSeconds:0} s:\n{RecentOutput}");
                }
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts the server again; see <see cref="StartAsync"/>.</summary>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    /// <summary>Kills the server process (and its children); the data folder stays for a later start.</summary>
    public void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // It had already gone.
        }
        finally
        {
            process.Dispose();
        }
    }

    /// <summary>Creates a bucket with a fresh unique name and returns the name.</summary>
    public async Task<string> CreateBucketAsync(CancellationToken cancellationToken = default)
    {
        var name = "b" + Guid.NewGuid().ToString("n")[..20];
        // s3rver accepts unsigned requests, so a plain PUT creates the bucket.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PutAsync(new Uri(Endpoint, name), new ByteArrayContent([]), cancellationToken)
            .ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            Assert.Fail($"s3rver refused to create bucket {name}: {(int)response.StatusCode} {body}");
        }

        return name;
    }

    /// <summary>
    /// AWS settings for this server: its endpoint, path-style addressing, s3rver's static credentials,
    /// checksums only when required and unchunked uploads (s3rver would store aws-chunked framing verbatim).
    /// </summary>
    public AwsOptions CreateAwsOptions() => new()
    {
        Endpoint = Endpoint.ToString().TrimEnd('/'),
        UseS3PathStyle = true,
        Credentials = new AwsCredentialsOptions { AccessKeyId = AccessKeyId, SecretAccessKey = SecretAccessKey },
        Checksum = "when_required",
        ChunkedUpload = false,
    };

    /// <summary>The file where s3rver keeps the body of an object.</summary>
    public string ObjectFilePath(string bucket, string key) =>
        Path.Combine([DataDirectory, bucket, .. key.Split('/')]) + "._S3rver_object";

    /// <summary>Kills the server and deletes its data folder.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Stop();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Makes sure <c>node_modules</c> of the pinned s3rver folder matches the committed lock file,
    /// running <c>npm ci</c> under a lock shared by every process on this machine, and returns the
    /// path of s3rver's start script.
    /// </summary>
    public static string EnsureInstalled()
    {
        lock (InstallGate)
        {
            if (s_installedScript is not null)
            {
                return s_installedScript;
            }

            var node = FindOnPath("node") ?? FailMissingNode();
            var npm = FindOnPath("npm") ?? FailMissingNode();
            CheckNodeVersion(node);

            var folder = RepositoryPaths.Combine("tests", "Oteleport.Testing", "s3rver");
            var lockFile = Path.Combine(folder, "package-lock.json");
            var script = Path.Combine(folder, "node_modules", "s3rver", "bin", "s3rver.js");
            var marker = Path.Combine(folder, "node_modules", ".oteleport-installed");
            var expected = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(lockFile)));

            bool Installed() => File.Exists(script) && File.Exists(marker) && File.ReadAllText(marker).Trim() == expected;

            if (!Installed())
            {
                using var crossProcess = AcquireInstallLock(folder);
                if (!Installed())
                {
                    var (exit, output) = Run(npm, folder, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund", "--loglevel=error");
                    if (exit != 0 || !File.Exists(script))
                    {
                        Assert.Fail($"npm ci in {folder} failed (exit {exit}):\n{output}");
                    }

                    File.WriteAllText(marker, expected);
                }
            }

            s_installedScript = script;
            return script;
        }
    }

    private static FileStream AcquireInstallLock(string folder)
    {
        // On Unix FileShare.None takes an exclusive advisory lock, so a second test assembly waits here
        // while the first one runs npm ci.
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(folder))))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"oteleport-s3rver-install-{id}.lock");
        var wait = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (wait.Elapsed < TimeSpan.FromMinutes(10))
            {
                Thread.Sleep(250);
            }
        }
    }

    private static void CheckNodeVersion(string node)
    {
        var (exit, output) = Run(node, Directory.GetCurrentDirectory(), TimeSpan.FromSeconds(30), "--version");
        var text = output.Trim().TrimStart('v');
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (exit != 0 || dot <= 0 || !int.TryParse(text[..dot], out var major) || major < 20)
        {
            Assert.Fail($"{MissingNode} (found node {output.Trim()})");
        }
    }

    private static string FailMissingNode()
    {
        Assert.Fail(MissingNode);
        return ""; // not reached
    }

    private static string? FindOnPath(string name)
    {
        var names = OperatingSystem.IsWindows() ? new[] { name + ".exe", name + ".cmd" } : new[] { name };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var n in names)
            {
                var candidate = Path.Combine(dir, n);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    private static (int ExitCode, string Output) Run(string file, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{output}");
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private sealed class OutputTail
    {
        private const int MaxLines = 200;
        private readonly Queue<string> _lines = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_lines)
            {
                _lines.Enqueue(line);
                while (_lines.Count > MaxLines)
                {
                    _lines.Dequeue();
                }
            }
        }

        public override string ToString()
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }
}
