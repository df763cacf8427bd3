using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using Oteleport.Testing.Fuzzing;

namespace Oteleport.Server.Tests;

/// <summary>
/// Mutated and random bodies (protobuf and JSON, gzip or not, under right and wrong content types) against
/// the OTLP/HTTP and REST endpoints: never a 5xx, every error a google.rpc.Status without a stack trace, no
/// hang. Bounded here; set OTELEPORT_FUZZ_ITERATIONS, or run bench/Oteleport.Fuzz, for a long run.
/// </summary>
public sealed class HttpFuzzTests
{
    [Test]
    public async Task Mutated_bodies_on_every_http_endpoint_get_200_400_413_or_415_with_a_status_body()
    {
        using var folder = new TempFolder("e2e-fuzz");
        // No batching delay: accepted Exports answer at once, so the run covers more inputs.
        await using var server = await ServerInstance.StartAsync(folder.Path, "--Oteleport:Storage:FlushInterval=00:00:00", "--Oteleport:Limits:MaxRequestBytes=1048576");
        var target = new FuzzTargets.HttpTarget(server.Http, server.OtlpHttpUrl, server.ApiUrl);
        var options = new FuzzOptions { Iterations = 2500, Budget = TimeSpan.FromSeconds(15), Parallelism = 4 }.FromEnvironment();

        var report = await Fuzzer.RunAsync("OTLP/HTTP and REST endpoints", options, FuzzTargets.HttpTarget.Next, target.Check, c => c.ToString());

        TestContext.Out.WriteLine(report);
        report.Failures.Should().BeEmpty(report.ToString());
        report.Iterations.Should().BeGreaterThan(300, "the run got somewhere within its budget");
        report.Outcomes.Keys.Should().Contain(["HTTP 200", "HTTP 400", "HTTP 415"], "valid, invalid and mistyped bodies were all tried");
    }
}
