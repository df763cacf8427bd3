using Oteleport.Testing.Fuzzing;

namespace Oteleport.Core.Tests.Fuzzing;

/// <summary>
/// Mutated and random inputs, from valid documents, against the OTLP JSON codec and the cursor decoder:
/// only the documented exceptions, no hang. Bounded here (a fixed seed, a few thousand inputs, a time
/// budget); set OTELEPORT_FUZZ_ITERATIONS, or run bench/Oteleport.Fuzz, for a long run.
/// </summary>
public sealed class CodecFuzzTests
{
    [Test]
    public async Task Otlp_json_parse_throws_only_otlp_json_exceptions_and_what_it_reads_writes_back_equal()
    {
        var options = new FuzzOptions { Iterations = 4000, Budget = TimeSpan.FromSeconds(10), Parallelism = 2 }.FromEnvironment();

        var report = await Fuzzer.RunAsync("OtlpJson.Parse", options, FuzzTargets.NextJson, FuzzTargets.CheckJson, c => $"{c.TypeName} {Fuzzer.Describe(c.Json)}");

        TestContext.Out.WriteLine(report);
        report.Failures.Should().BeEmpty(report.ToString());
        report.Iterations.Should().BeGreaterThan(500, "the run got somewhere within its budget");
        report.Outcomes.Keys.Should().Contain("accepted").And.Contain("rejected: OtlpJsonException", "the inputs are neither all valid nor all garbage");
    }

    [Test]
    public async Task Cursor_decode_throws_only_invalid_cursor_and_decodes_valid_cursors_exactly()
    {
        var target = new FuzzTargets.CursorTarget();
        var options = new FuzzOptions { Iterations = 5000, Budget = TimeSpan.FromSeconds(10), Parallelism = 2 }.FromEnvironment();

        var report = await Fuzzer.RunAsync("AesGcmCursorCodec.Decode", options, target.Next, target.Check, c => c.Cursor);

        TestContext.Out.WriteLine(report);
        report.Failures.Should().BeEmpty(report.ToString());
        report.Iterations.Should().BeGreaterThan(500);
        report.Outcomes.Keys.Should().Contain("accepted").And.Contain("rejected");
    }
}
