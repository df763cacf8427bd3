using System.Runtime.InteropServices;
using System.Text;
using Oteleport.Cli;

// Ctrl-C and SIGTERM cancel the run; follow ends with exit code 0 then, other runs with 1.
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

// A buffered UTF-8 stdout: the run flushes after each page.
await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
var host = new CliHost
{
    Out = stdout,
    Error = Console.Error,
    GetEnvironmentVariable = Environment.GetEnvironmentVariable,
    ErrorIsTerminal = !Console.IsErrorRedirected,
    OutIsTerminal = !Console.IsOutputRedirected,
};
return await CliApp.RunAsync(args, host, stop.Token);
