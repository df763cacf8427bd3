using Oteleport.Soak;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// The zero-loss soak of bench/Oteleport.Soak, short: 15 s of mixed gRPC and HTTP senders with retries while
/// s3rver is stopped and started twice; every acknowledged record is fetched back.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class SoakTests
{
    [Test]
    public async Task A_short_soak_through_two_s3_restarts_loses_no_acknowledged_record()
    {
        var settings = new SoakSettings { Duration = TimeSpan.FromSeconds(15), Restarts = 2, GrpcSenders = 2, HttpSenders = 2 };

        var report = await SoakRun.RunAsync(settings, TestContext.Out);

        TestContext.Out.WriteLine(report);
        report.UnexpectedAnswers.Should().BeEmpty("senders get success or a retryable answer, nothing else");
        report.RestartsDone.Should().Be(2);
        report.RetryableFailures.Should().BePositive("the outages were felt by the senders");
        report.RecordsAcknowledged.Should().BePositive();
        report.RecordsLost.Should().Be(0, "every acknowledged record is stored");
        report.RecordsFetched.Should().BeGreaterThanOrEqualTo(report.RecordsAcknowledged);
        report.Passed.Should().BeTrue();
    }
}
