using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Oteleport.Query;
using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests.EndToEnd;

/// <summary>
/// Paging over many S3 objects in several hour partitions: a walk page by page, whatever the limit,
/// returns exactly what one unlimited fetch returns (no record twice, none lost, same order).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class S3PagingTests
{
    private const string Prefix = "paging/";
    private const int Requests = 60;
    private const int SpansPerRequest = 50;
    private const int Total = Requests * SpansPerRequest;

    // 3,000 spans 3.6 s apart fill three hours; starting 90 s into the hour they reach into a fourth,
    // and the three requests that cross an hour are split into two objects each.
    private static readonly DateTimeOffset First = new(2024, 10, 23, 9, 1, 30, TimeSpan.Zero);
    private static readonly TimeSpan Spacing = TimeSpan.FromSeconds(3.6);

    private static readonly FetchQuery Range = new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(First.AddMinutes(-5)),
        EndTimeUnixNano = TestSignals.UnixNano(First.AddHours(4)),
    };

    private string _bucket = null!;
    private ServiceProvider _services = null!;
    private ISignalStore _store = null!;
    private List<string> _unlimited = null!;

    [OneTimeSetUp]
    public async Task StoreSpansAsync()
    {
        var s3 = S3rverFixture.Server;
        _bucket = await s3.CreateBucketAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOteleportCore(o =>
        {
            o.Storage.Location = $"s3://{_bucket}/{Prefix}";
            o.Storage.Aws = s3.CreateAwsOptions();
            o.Storage.CursorEncryptionKey = S3ServerInstance.NewCursorKey();
            // One object per request and hour: group commit would merge them into a few.
            o.Storage.FlushInterval = TimeSpan.Zero;
        }).UseS3Storage();
        _services = services.BuildServiceProvider();
        _store = _services.GetRequiredService<ISignalStore>();

        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Requests; i++)
        {
            await _store.AppendTracesAsync(
                TestSignals.Spans(SpansPerRequest, First + Spacing * (i * SpansPerRequest), Spacing, services: 3, offset: i * SpansPerRequest));
        }

        TestContext.Progress.WriteLine($"stored {Requests} requests in {watch.ElapsedMilliseconds} ms");
        watch.Restart();
        var all = await _store.FetchTracesAsync(Range with { Limit = 10_000 });
        TestContext.Progress.WriteLine($"fetched {Total} spans at once in {watch.ElapsedMilliseconds} ms");
        all.HasMore.Should().BeFalse();
        all.NextCursor.Should().BeEmpty();
        _unlimited = TestSignals.AllSpans(all.ResourceSpans).Select(s => s.Name).ToList();
    }

    [OneTimeTearDown]
    public async Task DisposeAsync() => await _services.DisposeAsync();

    [Test]
    public async Task The_objects_lie_in_four_hour_partitions_and_straddling_requests_were_split()
    {
        using var client = S3ClientFactory.CreateClient(S3rverFixture.Server.CreateAwsOptions());
        var keys = await S3ServerSdkTests.ListKeysAsync(client, _bucket, Prefix);

        keys.Select(k => k[..(Prefix.Length + "traces/2024/10/23/09".Length)]).Distinct().Should().Equal(
            "paging/traces/2024/10/23/09", "paging/traces/2024/10/23/10", "paging/traces/2024/10/23/11", "paging/traces/2024/10/23/12");
        keys.Should().HaveCount(Requests + 3, "the three requests that cross an hour are stored as two objects each");
    }

    [Test]
    public void One_unlimited_fetch_holds_every_span_once()
    {
        _unlimited.Should().HaveCount(Total).And.OnlyHaveUniqueItems();
        // Sorted comparison: BeEquivalentTo is quadratic on 3,000 items.
        _unlimited.Order(StringComparer.Ordinal).Should().Equal(Enumerable.Range(0, Total).Select(n => $"span-{n}").Order(StringComparer.Ordinal));
    }

    [TestCase(7)]
    [TestCase(50)]
    [TestCase(333)]
    public async Task A_walk_page_by_page_equals_the_unlimited_fetch(int limit)
    {
        var watch = Stopwatch.StartNew();
        var walked = new List<string>();
        var cursor = "";
        var pages = 0;
        while (true)
        {
            var page = await _store.FetchTracesAsync(Range with { Limit = limit, Cursor = cursor });
            pages++;
            var names = TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name).ToList();
            walked.AddRange(names);
            if (!page.HasMore)
            {
                page.NextCursor.Should().BeEmpty();
                names.Should().NotBeEmpty("the last page is never empty");
                names.Count.Should().BeLessThanOrEqualTo(limit);
                break;
            }
            names.Should().HaveCount(limit, "every page but the last is full");
            cursor = page.NextCursor;
            pages.Should().BeLessThan(Total, "the walk ends");
        }

        pages.Should().Be((Total + limit - 1) / limit);
        walked.Should().Equal(_unlimited);
        TestContext.Out.WriteLine($"limit {limit}: {pages} pages in {watch.ElapsedMilliseconds} ms");
    }

    [Test]
    public async Task A_walk_over_the_rest_api_of_the_standalone_server_equals_the_unlimited_fetch()
    {
        await using var server = await S3ServerInstance.StartAsync(S3rverFixture.Server, _bucket, Prefix);

        var walked = await server.FetchAllSpansAsync(Range.StartTimeUnixNano, Range.EndTimeUnixNano, limit: 333);

        walked.Select(s => s.Name).Should().Equal(_unlimited);
    }
}
