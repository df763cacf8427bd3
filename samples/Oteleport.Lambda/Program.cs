using Oteleport.Hosting.Lambda;
using Oteleport.Lambda;

try
{
    await LambdaHost.RunAsync(() => LambdaFunction.Build(args));
    return 0;
}
catch (Exception ex)
{
    // Inside Lambda the cause has already gone to the runtime API as an init error; this is for the log.
    await Console.Error.WriteLineAsync($"oteleport: {ex.Message}");
    return 1;
}
