using Oteleport.Proto.V1;
using Oteleport.Server.Tests.Infrastructure;
using Oteleport.Testing;
using static Oteleport.Server.Tests.Infrastructure.Records;

namespace Oteleport.Server.Tests;

/// <summary>A new server on the same folder serves what the old one stored, and honours its cursors.</summary>
public sealed class RestartTests
{
    [Test]
    public async Task Data_and_cursors_from_before_a_restart_are_served_after_it()
    {
        using var folder = new TempFolder("e2e-restart");
        var first = DateTimeOffset.UtcNow.AddMinutes(-3);
        var spacing = TimeSpan.FromSeconds(1);
        var request = new FetchTracesDataRequest { StartTimeUnixNano = Nanos(first), EndTimeUnixNano = Nanos(first + spacing * 40), Limit = 15 };
        var logsRequest = new FetchLogsDataRequest { StartTimeUnixNano = Nanos(first), EndTimeUnixNano = Nanos(first + spacing * 40) };
        var metricsRequest = new FetchMetricsDataRequest { StartTimeUnixNano = Nanos(first), EndTimeUnixNano = Nanos(first + spacing * 40) };

        var server = await ServerInstance.StartAsync(folder.Path);
        try
        {
            await server.ExportAsync(TestSignals.Spans(40, first, spacing));
            await server.ExportAsync(TestSignals.Logs(10, first, spacing));
            await server.ExportAsync(TestSignals.AllMetricKinds(first.AddSeconds(5)));
            var firstPage = await server.FetchTracesAsync(request);
            var wholeBefore = await server.FetchTracesAsync(new FetchTracesDataRequest(request) { Limit = 10_000 });
            var logsBefore = await server.FetchLogsAsync(logsRequest);
            var metricsBefore = await server.FetchMetricsAsync(metricsRequest);
            var oldApi = server.ApiUrl;
            firstPage.HasMore.Should().BeTrue();
            File.Exists(Path.Combine(folder.Path, ".oteleport-cursor-key")).Should().BeTrue("the generated cursor key is kept in the data folder");

            server = await server.RestartAsync();

            server.ApiUrl.Should().NotBe(oldApi, "a new server on new ports answers");
            var wholeAfter = await server.FetchTracesAsync(new FetchTracesDataRequest(request) { Limit = 10_000 });
            wholeAfter.Should().Be(wholeBefore);
            TestSignals.AllSpans(wholeAfter.ResourceSpans).Should().HaveCount(40);
            (await server.FetchLogsAsync(logsRequest)).Should().Be(logsBefore);
            (await server.FetchMetricsAsync(metricsRequest)).Should().Be(metricsBefore);

            var secondPage = await server.FetchTracesAsync(new FetchTracesDataRequest(request) { Cursor = firstPage.NextCursor });
            TestSignals.AllSpans(secondPage.ResourceSpans).Should().Equal(TestSignals.AllSpans(wholeBefore.ResourceSpans).Skip(15).Take(15),
                "the cursor from before the restart resumes where it left off");
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
