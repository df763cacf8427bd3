using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Oteleport.Testing.Fuzzing;

/// <summary>How long and how wide a fuzz run goes.</summary>
public sealed record FuzzOptions
{
    /// <summary>The environment variable that overrides <see cref="Iterations"/> (and lifts <see cref="Budget"/>) for long runs.</summary>
    public const string IterationsVariable = "OTELEPORT_FUZZ_ITERATIONS";

    /// <summary>Inputs to try.</summary>
    public int Iterations { get; init; } = 2000;

    /// <summary>The run stops here even if iterations remain (a bounded test); the report says how far it got.</summary>
    public TimeSpan Budget { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The seed: iteration <c>n</c> of seed <c>s</c> is always the same input, so a failure is reproducible.</summary>
    public int Seed { get; init; } = 20241023;

    /// <summary>Inputs tried at once.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>The longest one input may take before it counts as a hang.</summary>
    public TimeSpan PerInputTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>These options with <see cref="IterationsVariable"/> applied when it is set (and then no time budget).</summary>
    public FuzzOptions FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(IterationsVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? this with { Iterations = n, Budget = TimeSpan.FromDays(1) }
            : this;
}

/// <summary>A failed input: what was wrong, and the iteration that reproduces it with the same seed.</summary>
public sealed record FuzzFailure(int Iteration, string Reason, string Input)
{
    public override string ToString() => $"iteration {Iteration}: {Reason}\n    input: {Input}";
}

/// <summary>The outcome of a fuzz run.</summary>
public sealed class FuzzReport(string target, int seed)
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FuzzFailure> _failures = new();
    private int _iterations;

    public string Target { get; } = target;
    public int Seed { get; } = seed;
    public int Iterations => _iterations;
    public TimeSpan Elapsed { get; internal set; }

    /// <summary>How often each outcome came (e.g. "accepted", "rejected: OtlpJsonException", "HTTP 400").</summary>
    public IReadOnlyDictionary<string, int> Outcomes => _outcomes;

    /// <summary>The first failures (at most 20 are kept).</summary>
    public IReadOnlyList<FuzzFailure> Failures => [.. _failures.OrderBy(f => f.Iteration)];

    internal void Count(string outcome)
    {
        Interlocked.Increment(ref _iterations);
        _outcomes.AddOrUpdate(outcome, 1, static (_, n) => n + 1);
    }

    internal void Fail(FuzzFailure failure)
    {
        Count("FAILED");
        if (_failures.Count < 20)
        {
            _failures.Enqueue(failure);
        }
    }

    public override string ToString()
    {
        var outcomes = string.Join(", ", Outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}: {o.Value}"));
        var text = string.Create(CultureInfo.InvariantCulture,
            $"fuzz {Target}: {Iterations} inputs in {Elapsed.TotalSeconds:0.0} s (seed {Seed}), {_failures.Count} failures; {outcomes}");
        return _failures.IsEmpty ? text : text + "\n  " + string.Join("\n  ", Failures);
    }
}

/// <summary>A failure of the target under test (an exception type it must not throw, a 500, a stack trace in an answer, ...).</summary>
public sealed class FuzzFailureException(string message) : Exception(message);

/// <summary>
/// Runs a target over generated inputs: <c>next</c> makes input number <c>n</c> from a random source seeded
/// by the run's seed and <c>n</c>; <c>check</c> runs it and names the outcome, or throws
/// <see cref="FuzzFailureException"/> (any other exception is a failure too); an input that takes longer
/// than <see cref="FuzzOptions.PerInputTimeout"/> is a hang.
/// </summary>
public static class Fuzzer
{
    public static async Task<FuzzReport> RunAsync<T>(string target, FuzzOptions options, Func<Random, T> next, Func<T, Task<string>> check, Func<T, string> describe)
    {
        var report = new FuzzReport(target, options.Seed);
        var watch = Stopwatch.StartNew();
        var iteration = -1;
        async Task WorkerAsync()
        {
            int n;
            while ((n = Interlocked.Increment(ref iteration)) < options.Iterations && watch.Elapsed < options.Budget)
            {
                var input = next(new Random(unchecked((options.Seed * 1_000_003) + n)));
                try
                {
                    var outcome = await Task.Run(() => check(input)).WaitAsync(options.PerInputTimeout).ConfigureAwait(false);
                    report.Count(outcome);
                }
                catch (TimeoutException)
                {
                    report.Fail(new FuzzFailure(n, $"no answer within {options.PerInputTimeout.TotalSeconds:0.#} s (a hang)", describe(input)));
                }
                catch (FuzzFailureException ex)
                {
                    report.Fail(new FuzzFailure(n, ex.Message, describe(input)));
                }
                catch (Exception ex)
                {
                    report.Fail(new FuzzFailure(n, $"unexpected {ex.GetType().FullName}: {ex.Message}", describe(input)));
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Parallelism)).Select(_ => Task.Run(WorkerAsync))).ConfigureAwait(false);
        report.Elapsed = watch.Elapsed;
        return report;
    }

    /// <summary>A short printable form of an input: its length and the start of it as text (JSON) or base64.</summary>
    public static string Describe(byte[] input, int max = 300)
    {
        var text = IsMostlyText(input) ? System.Text.Encoding.UTF8.GetString(input) : "base64:" + Convert.ToBase64String(input);
        return $"{input.Length} bytes: " + (text.Length > max ? text[..max] + "..." : text);
    }

    private static bool IsMostlyText(byte[] input) =>
        input.Length > 0 && input.Count(b => b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\t') * 10 >= input.Length * 9;
}
