using System.Diagnostics;
using System.Text;

namespace Oteleport.Testing.Lambda;

/// <summary>How the sample function is published.</summary>
public enum BootstrapFlavor
{
    /// <summary>Framework-dependent: needs a .NET runtime on the machine (not so on provided.al2023).</summary>
    FrameworkDependent,
    /// <summary>Self-contained and precompiled with ReadyToRun: what the publish profiles produce.</summary>
    ReadyToRun,
    /// <summary>Self-contained with native AOT.</summary>
    NativeAot,
}

/// <summary>
/// Publishes samples/Oteleport.Lambda with <c>dotnet publish</c> for this machine's runtime identifier.
/// Intermediate files go to an artifacts folder of its own, so the source tree's bin/ and obj/ are untouched.
/// </summary>
public static class BootstrapPublisher
{
    /// <summary>The runtime identifier of this machine (linux-x64 here).</summary>
    public static string RuntimeIdentifier => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    /// <summary>The dotnet publish arguments for a flavor.</summary>
    public static IReadOnlyList<string> Arguments(BootstrapFlavor flavor, string outputFolder, string artifactsFolder)
    {
        var args = new List<string>
        {
            "publish", RepositoryPaths.Combine("samples", "Oteleport.Lambda", "Oteleport.Lambda.csproj"),
            "-c", "Release", "-r", RuntimeIdentifier, "-o", outputFolder, "--artifacts-path", artifactsFolder,
            "-nologo", "-p:DebugType=none",
        };
        args.AddRange(flavor switch
        {
            BootstrapFlavor.FrameworkDependent => ["--self-contained", "false"],
            BootstrapFlavor.ReadyToRun => ["--self-contained", "-p:PublishReadyToRun=true"],
            BootstrapFlavor.NativeAot => ["-p:PublishAot=true"],
            _ => throw new ArgumentOutOfRangeException(nameof(flavor)),
        });
        return args;
    }

    /// <summary>Publishes and returns the path of the <c>bootstrap</c> executable; throws with the build output on failure.</summary>
    public static async Task<string> PublishAsync(BootstrapFlavor flavor, string outputFolder, string artifactsFolder, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.RepositoryRoot,
        };
        foreach (var arg in Arguments(flavor, outputFolder, artifactsFolder))
        {
            info.ArgumentList.Add(arg);
        }
        // The build server of the test run's own build may be busy; a publish of its own is simpler.
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet publish ({flavor}) took longer than {timeout}:\n{output}");
        }
        var bootstrap = Path.Combine(outputFolder, "bootstrap");
        if (process.ExitCode != 0 || !File.Exists(bootstrap))
        {
            throw new InvalidOperationException($"dotnet publish ({flavor}) failed with exit code {process.ExitCode}:\n{output}");
        }
        return bootstrap;
    }
}
