using Oteleport.Query;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>Walking a range page by page returns exactly what one unlimited walk returns.</summary>
public class SignalStorePagingTests
{
    private static readonly DateTimeOffset First = new(2024, 10, 23, 7, 10, 0, TimeSpan.Zero);
    private const int SpanCount = 25_000;
    private static SignalStoreFixture _fixture = null!;
    private static ulong _start, _end;

    [OneTimeSetUp]
    public static async Task Ingest()
    {
        _fixture = new SignalStoreFixture();
        // 25,000 spans 0.5 s apart span about 3.5 hours; sent in 250 requests of 100 spans,
        // each request crossing an hour boundary is split into two objects.
        var spacing = TimeSpan.FromMilliseconds(500);
        for (var batch = 0; batch < SpanCount / 100; batch++)
        {
            var data = TestSignals.Spans(100, First + spacing * (batch * 100), spacing, services: 3, offset: batch * 100);
            await _fixture.Store.AppendTracesAsync(data);
        }
        _start = TestSignals.UnixNano(First);
        _end = TestSignals.UnixNano(First + spacing * SpanCount);
    }

    [OneTimeTearDown]
    public static void Cleanup()
    {
        _fixture.Folder.Dispose();
        _fixture.Dispose();
    }

    private static async Task<List<string>> WalkAsync(int limit, ulong? start = null, ulong? end = null)
    {
        var names = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = start ?? _start, EndTimeUnixNano = end ?? _end, Cursor = cursor, Limit = limit });
            var spans = TestSignals.AllSpans(page.ResourceSpans);
            spans.Count.Should().BeLessThanOrEqualTo(limit);
            if (page.HasMore)
            {
                spans.Should().HaveCount(limit, "only the last page may be short");
                page.NextCursor.Should().NotBeEmpty();
            }
            names.AddRange(spans.Select(s => s.Name));
            cursor = page.HasMore ? page.NextCursor : null;
            pages++;
        }
        while (cursor is not null);
        return names;
    }

    [Test]
    public async Task The_range_spans_several_hours_and_many_objects()
    {
        var partitions = Directory.GetDirectories(Path.Combine(_fixture.Folder.Path, "traces", "2024", "10", "23"));
        partitions.Should().HaveCountGreaterThanOrEqualTo(4);
        Directory.GetFiles(Path.Combine(_fixture.Folder.Path, "traces"), "*.json.gz", SearchOption.AllDirectories).Should().HaveCountGreaterThanOrEqualTo(250);
        (await WalkAsync(10_000)).Should().HaveCount(SpanCount).And.OnlyHaveUniqueItems();
    }

    [TestCase(1)]
    [TestCase(7)]
    [TestCase(100)]
    [TestCase(333)]
    [TestCase(997)]
    public async Task Every_page_size_walks_exactly_the_unlimited_result(int limit)
    {
        var unlimited = await WalkAsync(10_000);
        var walked = await WalkAsync(limit);
        walked.Should().Equal(unlimited, "no record twice, none missing, same order");
    }

    [Test]
    public async Task A_sub_range_holds_exactly_the_records_timed_inside_it()
    {
        var from = First + TimeSpan.FromMinutes(50);
        var to = First + TimeSpan.FromMinutes(110);
        var names = await WalkAsync(997, TestSignals.UnixNano(from), TestSignals.UnixNano(to));
        var expected = Enumerable.Range(0, SpanCount)
            .Where(n => First + TimeSpan.FromMilliseconds(500) * n >= from && First + TimeSpan.FromMilliseconds(500) * n <= to)
            .Select(n => $"span-{n}");
        names.Order(StringComparer.Ordinal).Should().Equal(expected.Order(StringComparer.Ordinal));
    }

    [Test]
    public async Task A_tampered_cursor_is_refused()
    {
        var page = await _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10 });
        var cursor = page.NextCursor;
        var tampered = cursor[..10] + (cursor[10] == 'A' ? 'B' : 'A') + cursor[11..];
        var act = () => _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10, Cursor = tampered });
        await act.Should().ThrowAsync<FetchRequestException>().WithMessage("invalid cursor*");
    }

    [Test]
    public async Task A_cursor_replayed_with_another_time_range_or_signal_is_refused()
    {
        var page = await _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10 });
        var otherRange = () => _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start + 1, EndTimeUnixNano = _end, Limit = 10, Cursor = page.NextCursor });
        await otherRange.Should().ThrowAsync<FetchRequestException>().WithMessage("invalid cursor: it belongs to another query*");
        var otherSignal = () => _fixture.Store.FetchLogsAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10, Cursor = page.NextCursor });
        await otherSignal.Should().ThrowAsync<FetchRequestException>().WithMessage("invalid cursor: it belongs to another query*");
    }

    [Test]
    public async Task A_cursor_from_a_store_with_another_key_is_refused()
    {
        using var other = new SignalStoreFixture();
        var page = await _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10 });
        var act = () => other.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = _start, EndTimeUnixNano = _end, Limit = 10, Cursor = page.NextCursor });
        await act.Should().ThrowAsync<FetchRequestException>().WithMessage("invalid cursor: it was modified or made by a server with another cursor key");
        other.Folder.Dispose();
    }

    [Test]
    public async Task A_range_longer_than_the_maximum_is_refused_at_once()
    {
        var act = () => _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = 1, EndTimeUnixNano = _end });
        await act.Should().ThrowAsync<FetchRequestException>().WithMessage("the time range is longer than 31 days (limits.max_fetch_range)*");
    }

    [TestCase(0UL, 0UL, 10L, "startTimeUnixNano is required")]
    [TestCase(200UL, 100UL, 10L, "startTimeUnixNano is after endTimeUnixNano")]
    [TestCase(100UL, 200UL, -1L, "limit must not be negative")]
    [TestCase(100UL, 200UL, 10_001L, "limit 10001 is above the maximum of 10000")]
    public async Task Bad_queries_are_refused_with_a_clear_message(ulong start, ulong end, long limit, string message)
    {
        var act = () => _fixture.Store.FetchTracesAsync(new FetchQuery { StartTimeUnixNano = start, EndTimeUnixNano = end, Limit = limit });
        await act.Should().ThrowAsync<FetchRequestException>().WithMessage(message);
    }
}
