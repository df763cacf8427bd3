using System.CommandLine;
using System.CommandLine.Help;
using System.Net;
using System.Reflection;
using Oteleport.Cli.Running;
using Oteleport.Cli.Settings;
using Oteleport.Cli.Signals;
using Oteleport.Client;

namespace Oteleport.Cli;

/// <summary>The <c>oteleport</c> command line: parsing, dispatch and exit codes (0 done, 1 failure, 2 usage).</summary>
internal static class CliApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    /// <summary>Runs one command line to its end and returns the exit code; never throws for a failure of the run.</summary>
    public static async Task<int> RunAsync(string[] args, CliHost host, CancellationToken cancellationToken)
    {
        var root = BuildCommand(host);
        var parse = root.Parse(args);
        try
        {
            if (parse.Errors.Count > 0 && parse.Action is not HelpAction)
            {
                throw new UsageException(parse.Errors[0].Message);
            }
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = host.Out,
                Error = host.Error,
                EnableDefaultExceptionHandler = false,
                // Ctrl-C is handled by Program (and by the caller's token in-process).
                ProcessTerminationTimeout = null,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await Fail(host, $"{ex.Message} (see oteleport --help)").ConfigureAwait(false);
            return UsageError;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Fail(host, "interrupted").ConfigureAwait(false);
            return Failure;
        }
        catch (Exception ex)
        {
            // Anything unforeseen still ends as one line, with the type to report it by.
            await Fail(host, Describe(ex) ?? $"unexpected {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return Failure;
        }
    }

    internal static Command BuildCommand(CliHost host)
    {
        // A plain command rather than RootCommand, whose name would be the assembly's (Oteleport.Cli), not the tool's.
        var root = new Command("oteleport", "Reads traces, metrics and logs stored by an Oteleport server: prints them as OTLP JSON, follows new ones, replays them into an OTLP endpoint.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(FetchCommand.Create(TracesSignal.Instance, "Spans of a time range", host));
        root.Subcommands.Add(FetchCommand.Create(MetricsSignal.Instance, "Metric data points of a time range", host));
        root.Subcommands.Add(FetchCommand.Create(LogsSignal.Instance, "Log records of a time range", host));
        root.Subcommands.Add(FetchCommand.CreateTraceLookup(host));
        var version = new Command("version", "The version of this tool");
        version.SetAction(parse =>
        {
            host.Out.WriteLine($"oteleport {Version}");
            return Success;
        });
        root.Subcommands.Add(version);
        root.SetAction(int (ParseResult parse) => throw new UsageException("name a command: traces, metrics, logs, trace or version"));
        return root;
    }

    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion is { } v
            ? v.Split('+')[0]
            : typeof(CliApp).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>The one-line reason for a failure that ends the run, or null for one that was not foreseen.</summary>
    private static string? Describe(Exception ex) => ex switch
    {
        CliFailure failure => failure.Message,
        OteleportClientException { HttpStatus: HttpStatusCode.Forbidden } e => $"access key rejected by {Base(e)}: 403",
        OteleportClientException { HttpStatus: HttpStatusCode.Unauthorized } e => $"{Base(e)} needs an access key (--access-key or OTELEPORT_ACCESS_KEY): 401",
        OteleportClientException e => $"{Base(e)} answered {(int)e.HttpStatus}{(e.RpcMessage.Length > 0 ? ": " + e.RpcMessage : "")}",
        OteleportConnectionException e => e.Message,
        InvalidDataException e => e.Message,
        _ => null,
    };

    /// <summary>The API address of a failed request (its URL without <c>/api/...</c>).</summary>
    private static string Base(OteleportClientException e)
    {
        var url = e.RequestUri.GetLeftPart(UriPartial.Path);
        var api = url.LastIndexOf("/api/", StringComparison.Ordinal);
        return api > 0 ? url[..api] : url;
    }

    private static async Task Fail(CliHost host, string reason)
    {
        await host.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        await host.Error.WriteLineAsync("oteleport: " + reason.ReplaceLineEndings(" ").Trim()).ConfigureAwait(false);
        await host.Error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }
}
