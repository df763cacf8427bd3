// Cold start of the Lambda function (samples/Oteleport.Lambda): publishes the bootstrap in each flavor,
// then, several times each, starts the process against a local runtime API with one OTLP/HTTP event
// already queued, and measures the time from process start to the function's first request for an
// event (init) and to its answer (first response). Prints a Markdown table of medians.
//
//   dotnet run -c Release --project bench/Oteleport.Benchmarks.ColdStart -- [--runs 9] [--flavors FrameworkDependent,ReadyToRun,NativeAot]
//     [--bootstrap NAME=path/to/bootstrap ...]   (also measure bootstraps published elsewhere)
using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;
using Oteleport.Testing;
using Oteleport.Testing.Lambda;

var runs = 9;
var flavors = new List<BootstrapFlavor> { BootstrapFlavor.FrameworkDependent, BootstrapFlavor.ReadyToRun, BootstrapFlavor.NativeAot };
var extraFlags = new List<string>();
var prebuilt = new List<(string Name, string Path)>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--flavors":
            flavors = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(f => Enum.Parse<BootstrapFlavor>(f, ignoreCase: true)).ToList();
            break;
        case "--bootstrap":
            // NAME=PATH: measure a bootstrap published elsewhere (another machine, other flags) beside the others.
            var pair = args[++i].Split('=', 2);
            prebuilt.Add((pair[0], Path.GetFullPath(pair[1])));
            break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}");
            return 2;
    }
}

using var work = new TempFolder("cold-start");
var rows = new List<string>();
var candidates = new List<(string Name, string Bootstrap)>(prebuilt);
foreach (var flavor in flavors)
{
    Console.Error.WriteLine($"publishing {flavor} for {BootstrapPublisher.RuntimeIdentifier}...");
    try
    {
        candidates.Add((flavor.ToString(), await BootstrapPublisher.PublishAsync(flavor, Path.Combine(work.Path, flavor.ToString()), Path.Combine(work.Path, "artifacts-" + flavor), TimeSpan.FromMinutes(15))));
    }
    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
    {
        var firstError = ex.Message.Split('\n').FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? ex.Message.Split('\n')[0];
        rows.Add($"| {flavor} | publish failed: {firstError.Trim()} | | | |");
    }
}

// Runs are interleaved (one of each flavor, then again), so that whatever else the machine does
// weighs on every flavor alike.
var init = candidates.ToDictionary(c => c.Name, _ => new List<double>());
var first = candidates.ToDictionary(c => c.Name, _ => new List<double>());
for (var run = 0; run < runs; run++)
{
    foreach (var (name, bootstrap) in candidates)
    {
        var (i, f) = await MeasureAsync(bootstrap);
        init[name].Add(i);
        first[name].Add(f);
        Console.Error.WriteLine($"  run {run + 1} {name}: init {i:F0} ms, first response {f:F0} ms");
    }
}
foreach (var (name, bootstrap) in candidates)
{
    var size = new DirectoryInfo(Path.GetDirectoryName(bootstrap)!).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {size / 1024.0 / 1024.0:F1} MB | {Median(init[name]):F0} ms | {Median(first[name]):F0} ms | {first[name].Min():F0}–{first[name].Max():F0} ms |"));
}

Console.WriteLine($"Cold start on {Environment.ProcessorCount} cores, {BootstrapPublisher.RuntimeIdentifier}, {runs} runs each (medians):");
Console.WriteLine();
Console.WriteLine("| flavor | package | start → first /next (init) | start → first response | first response min–max |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);
return 0;

static async Task<(double InitMs, double FirstResponseMs)> MeasureAsync(string bootstrap)
{
    await using var runtime = await LambdaRuntimeApiServer.StartAsync();
    using var storage = new TempFolder("cold-start-store");
    var spans = TestSignals.Spans(10, DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromMilliseconds(100));
    var functionUrlEvent = FunctionUrlEvent(new ExportTraceServiceRequest { ResourceSpans = { spans.ResourceSpans } }.ToByteArray());
    // The event waits in the queue before the process exists, as with a request that causes a cold start.
    var answered = runtime.InvokeAsync(functionUrlEvent, wait: TimeSpan.FromSeconds(60));

    using var process = BootstrapProcess.Start(bootstrap, runtime.Address, new Dictionary<string, string>
    {
        ["Oteleport__Storage__Location"] = storage.Path,
        ["Oteleport__Storage__CursorEncryptionKey"] = Convert.ToBase64String(new byte[32]),
        ["Oteleport__AccessKeys__0__SecretKey"] = "cold-start",
    });
    await runtime.FirstNextRequest.WaitAsync(TimeSpan.FromSeconds(60));
    var init = Stopwatch.GetElapsedTime(process.StartedAt).TotalMilliseconds;
    var result = await answered;
    var firstResponse = Stopwatch.GetElapsedTime(process.StartedAt).TotalMilliseconds;
    if (result.Response is null || !result.ResponseText.Contains("\"statusCode\":200", StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"the function did not answer 200: {result.Error}\n{result.Response?.Length}\n{process.Output}");
    }
    return (init, firstResponse);
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static byte[] FunctionUrlEvent(byte[] otlp)
{
    var now = DateTimeOffset.UtcNow;
    var document = new System.Text.Json.Nodes.JsonObject
    {
        ["version"] = "2.0",
        ["rawPath"] = "/v1/traces",
        ["rawQueryString"] = "",
        ["headers"] = new System.Text.Json.Nodes.JsonObject
        {
            ["content-type"] = "application/x-protobuf",
            ["oteleport-access-key"] = "cold-start",
            ["host"] = "abcdefghijklmnop.lambda-url.us-east-1.on.aws",
        },
        ["requestContext"] = new System.Text.Json.Nodes.JsonObject
        {
            ["http"] = new System.Text.Json.Nodes.JsonObject { ["method"] = "POST", ["path"] = "/v1/traces", ["protocol"] = "HTTP/1.1", ["sourceIp"] = "203.0.113.7" },
            ["requestId"] = Guid.NewGuid().ToString(),
            ["timeEpoch"] = now.ToUnixTimeMilliseconds(),
        },
        ["body"] = Convert.ToBase64String(otlp),
        ["isBase64Encoded"] = true,
    };
    return System.Text.Encoding.UTF8.GetBytes(document.ToJsonString());
}
