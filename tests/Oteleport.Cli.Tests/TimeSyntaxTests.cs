using Oteleport.Cli.Settings;
using Oteleport.Cli.Signals;

namespace Oteleport.Cli.Tests;

[TestFixture]
public sealed class TimeSyntaxTests
{
    [TestCase("30s", 30_000)]
    [TestCase("5m", 300_000)]
    [TestCase("2h", 7_200_000)]
    [TestCase("1d", 86_400_000)]
    [TestCase("1h30m", 5_400_000)]
    [TestCase("1.5s", 1_500)]
    [TestCase("250ms", 250)]
    [TestCase("1m30s500ms", 90_500)]
    [TestCase("0s", 0)]
    public void Durations_read_as_written(string text, long milliseconds)
    {
        TimeSyntax.ParseDuration("--since", text).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [TestCase("5")]
    [TestCase("m")]
    [TestCase("5 m")]
    [TestCase("5w")]
    [TestCase("-5m")]
    [TestCase("")]
    public void Other_durations_are_usage_errors(string text)
    {
        var act = () => TimeSyntax.ParseDuration("--since", text);

        act.Should().Throw<UsageException>().WithMessage("--since: *not a duration*");
    }

    [TestCase("1970-01-01T00:00:01Z", 1_000_000_000UL)]
    [TestCase("2024-10-23T09:30:00Z", 1_729_675_800_000_000_000UL)]
    [TestCase("2024-10-23T18:30:00+09:00", 1_729_675_800_000_000_000UL)]
    [TestCase("2024-10-23T04:30:00-05:00", 1_729_675_800_000_000_000UL)]
    [TestCase("2024-10-23t09:30:00.123456789z", 1_729_675_800_123_456_789UL)]
    [TestCase("2024-10-23 09:30:00.5Z", 1_729_675_800_500_000_000UL)]
    public void Rfc3339_times_read_to_the_nanosecond(string text, ulong nanos)
    {
        TimeSyntax.ParseRfc3339("--start-time", text).Should().Be(nanos);
    }

    [TestCase("2024-10-23T09:30:00")]
    [TestCase("2024-10-23")]
    [TestCase("2024-13-01T00:00:00Z")]
    [TestCase("2024-10-23T09:30:00.1234567890Z")]
    [TestCase("1969-12-31T23:59:59Z")]
    [TestCase("now")]
    public void Other_times_are_usage_errors(string text)
    {
        var act = () => TimeSyntax.ParseRfc3339("--start-time", text);

        act.Should().Throw<UsageException>().WithMessage("--start-time: *");
    }

    [Test]
    public void A_shift_keeps_unset_times_unset_and_stays_in_range()
    {
        var back = TimeShifter.From(earliest: 5_000, target: 1_000);
        var forward = TimeShifter.From(earliest: 1_000, target: ulong.MaxValue - 10);

        back.Shift(0).Should().Be(0);
        back.Shift(5_000).Should().Be(1_000);
        back.Shift(4_500).Should().Be(500);
        back.Shift(3_000).Should().Be(1, "a time cannot move before the epoch");
        forward.Shift(1_000).Should().Be(ulong.MaxValue - 10);
        forward.Shift(2_000).Should().Be(ulong.MaxValue);
    }
}
