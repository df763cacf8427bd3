using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Logs.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Cli.Tests.Support;
using Oteleport.Testing;
using Oteleport.Tests.Support;

namespace Oteleport.Cli.Tests;

/// <summary><c>--follow</c> against a server that keeps receiving: every record once, none skipped, none repeated.</summary>
[TestFixture]
public sealed class CliFollowTests
{
    private const string Key = "follow-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Test]
    public async Task Follow_prints_each_record_once_as_it_arrives_until_cancelled()
    {
        await using var server = await RunningServer.StartAsync(Key);
        var sent = new List<ResourceSpans>();
        async Task Send(TracesData data)
        {
            sent.AddRange(data.ResourceSpans);
            await server.SendAsync(data);
        }
        // Before the follow starts: part of the history it reads first.
        await Send(TestSignals.Spans(7, DateTimeOffset.UtcNow.AddSeconds(-30), TimeSpan.FromSeconds(1), offset: 0));

        using var stop = new CancellationTokenSource();
        var output = new ConcurrentWriter();
        var error = new ConcurrentWriter();
        var run = OteleportCli.RunAsync(
            ["traces", "--endpoint", server.ApiUrl, "--access-key", Key, "--since", "1m", "--follow", "--follow-lag", "1s", "--poll-interval", "100ms", "--limit", "3"],
            output, error, null, stop.Token);

        // Rounds while it follows: some stamped now, some late (stamped before they are sent, within the lag).
        for (var round = 1; round <= 5; round++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(350));
            var late = round % 2 == 0 ? TimeSpan.FromMilliseconds(600) : TimeSpan.Zero;
            await Send(TestSignals.Spans(4, DateTimeOffset.UtcNow - late, TimeSpan.FromMilliseconds(20), offset: round * 100));
        }

        var expected = Records.Of(sent);
        await WaitUntil(() => Records.Of(Parse<TracesData>(output).SelectMany(d => d.ResourceSpans)).Count >= expected.Count);
        // A few more polls, in which nothing may be printed again.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await stop.CancelAsync();
        var exitCode = await run;

        exitCode.Should().Be(0, error.Snapshot());
        error.Snapshot().Should().BeEmpty();
        Records.Of(Parse<TracesData>(output).SelectMany(d => d.ResourceSpans)).Should().Equal(expected, "each span exactly once");
        expected.Should().HaveCount(27);
    }

    [Test]
    public async Task A_record_without_any_time_is_printed_once_though_every_window_matches_it()
    {
        await using var server = await RunningServer.StartAsync(Key);
        var timed = Ingest.LogsObserved(3, DateTimeOffset.UtcNow.AddSeconds(-10), TimeSpan.FromSeconds(1));
        var timeless = new LogsData
        {
            ResourceLogs =
            {
                new ResourceLogs
                {
                    Resource = TestSignals.Service("timeless"),
                    ScopeLogs = { new ScopeLogs { LogRecords = { new LogRecord { Body = new AnyValue { StringValue = "no time at all" } } } } },
                },
            },
        };
        await server.SendAsync(timed);
        await server.SendAsync(timeless);

        using var stop = new CancellationTokenSource();
        var output = new ConcurrentWriter();
        var run = OteleportCli.RunAsync(
            ["logs", "--endpoint", server.ApiUrl, "--access-key", Key, "--since", "1m", "--follow", "--follow-lag", "0s", "--poll-interval", "100ms", "-o", "jsonl"],
            output, new ConcurrentWriter(), null, stop.Token);
        await WaitUntil(() => output.Snapshot().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 4);
        await Task.Delay(TimeSpan.FromSeconds(1)); // about ten more windows over the same hour
        await stop.CancelAsync();
        (await run).Should().Be(0);

        var lines = Parse<ResourceLogs>(output);
        Records.Of(lines).Should().Equal(Records.Of(new LogsData { ResourceLogs = { timed.ResourceLogs, timeless.ResourceLogs } }));
    }

    [Test]
    public async Task Follow_takes_no_end()
    {
        var result = await OteleportCli.RunAsync("traces", "--follow", "--until", "1m");

        result.ExitCode.Should().Be(2);
        result.ErrorLines.Should().ContainSingle().Which.Should().Contain("--follow");
    }

    private static List<T> Parse<T>(ConcurrentWriter output) where T : Google.Protobuf.IMessage<T>, new() =>
        new CliResult(0, output.Snapshot(), "").Parse<T>();

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("the follow did not print everything in time");
            }
            await Task.Delay(50);
        }
    }
}
