using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Options;
using Oteleport.Otlp.Json;
using Oteleport.Query;
using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>
/// The write path encodes each append on its own and compresses large ones as gzip members of their own;
/// the read path reads ahead and keeps decoded objects. What is stored and what is fetched stay the same.
/// </summary>
public class FastPathTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);

    private static FetchQuery Around(long limit = 10_000, string? cursor = null) => new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
        EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(1)),
        Limit = limit,
        Cursor = cursor,
    };

    /// <summary>Spans with long attributes, so that one append's JSON is well above the size compressed on its own.</summary>
    private static TracesData Large(int count, int offset)
    {
        var data = TestSignals.Spans(count, Time, TimeSpan.FromMilliseconds(1), offset: offset);
        foreach (var span in TestSignals.AllSpans(data.ResourceSpans))
        {
            span.Attributes.Add(TestSignals.Attr("payload", new string('x', 200) + span.Name));
        }
        return data;
    }

    private static async Task<string[]> StoredObjectsAsync(SignalStoreFixture fixture)
    {
        var keys = new List<string>();
        await foreach (var stored in fixture.Objects.ListAsync("traces/"))
        {
            keys.Add(stored.Key);
        }
        return keys.ToArray();
    }

    private static async Task<byte[]> RawAsync(SignalStoreFixture fixture, string key)
    {
        await using var stream = (await fixture.Objects.GetAsync(key))!;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var gz = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gz.CopyTo(plain);
        return plain.ToArray();
    }

    [TestCase(ObjectCompressionLevel.Fastest, false)]
    [TestCase(ObjectCompressionLevel.Optimal, false)]
    [TestCase(ObjectCompressionLevel.Smallest, false)]
    [TestCase(ObjectCompressionLevel.Fastest, true)]
    public async Task Large_and_small_appends_of_one_batch_make_one_object_that_reads_back_whole(ObjectCompressionLevel level, bool flatten)
    {
        using var fixture = new SignalStoreFixture(o =>
        {
            o.Storage.FlushInterval = TimeSpan.FromMilliseconds(300);
            o.Storage.CompressionLevel = level;
            o.Storage.Flatten = flatten;
        });
        var sent = new[] { Large(200, 0), TestSignals.Spans(3, Time, TimeSpan.FromMilliseconds(1), offset: 1000), Large(150, 2000), TestSignals.Spans(1, Time, TimeSpan.FromMilliseconds(1), offset: 3000) };
        await Task.WhenAll(sent.Select(data => fixture.Store.AppendTracesAsync(data)));

        var keys = await StoredObjectsAsync(fixture);
        keys.Should().ContainSingle("all four appends waited for the same flush");
        var raw = await RawAsync(fixture, keys[0]);
        var json = Gunzip(raw);
        if (flatten)
        {
            Encoding.UTF8.GetString(json).Split('\n').Should().HaveCount(354).And.OnlyContain(line => line.StartsWith('{') && line.EndsWith('}'));
        }
        else
        {
            // Several gzip members, one plain OTLP document.
            var document = OtlpJson.Parse<TracesData>(json);
            TestSignals.AllSpans(document.ResourceSpans).Should().HaveCount(354);
        }

        var page = await fixture.Store.FetchTracesAsync(Around());
        TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name).Should().BeEquivalentTo(sent.SelectMany(d => TestSignals.AllSpans(d.ResourceSpans)).Select(s => s.Name));
    }

    [Test]
    public async Task Without_gzip_an_object_is_the_plain_document()
    {
        using var fixture = new SignalStoreFixture(o => o.Storage.Gzip = false);
        var data = Large(100, 0);
        await fixture.Store.AppendTracesAsync(data);
        var raw = await RawAsync(fixture, (await StoredObjectsAsync(fixture)).Single());
        raw.Should().Equal(OtlpJson.Serialize(data));
    }

    [Test]
    public async Task A_single_append_is_stored_as_the_document_the_generic_encoder_writes()
    {
        using var fixture = new SignalStoreFixture();
        var data = Large(100, 0);
        await fixture.Store.AppendTracesAsync(data);
        var raw = await RawAsync(fixture, (await StoredObjectsAsync(fixture)).Single());
        Gunzip(raw).Should().Equal(OtlpJson.Serialize(data));
    }

    [TestCase(1)]
    [TestCase(4)]
    [TestCase(64)]
    public async Task Pages_are_the_same_whatever_the_read_ahead(int readAhead)
    {
        using var fixture = new SignalStoreFixture(o => o.Storage.ReadAhead = readAhead);
        for (var i = 0; i < 30; i++)
        {
            await fixture.Store.AppendTracesAsync(TestSignals.Spans(1 + i % 7, Time, TimeSpan.FromMilliseconds(1), offset: i * 10));
        }
        var all = TestSignals.AllSpans((await fixture.Store.FetchTracesAsync(Around())).ResourceSpans).Select(s => s.Name).ToList();
        var walked = new List<string>();
        string? cursor = null;
        do
        {
            var page = await fixture.Store.FetchTracesAsync(Around(limit: 5, cursor: cursor));
            walked.AddRange(TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name));
            cursor = page.HasMore ? page.NextCursor : null;
        }
        while (cursor is not null);
        walked.Should().Equal(all);
        all.Should().HaveCount(Enumerable.Range(0, 30).Sum(i => 1 + i % 7));
    }

    [Test]
    public async Task Changing_a_fetched_page_does_not_change_the_next_fetch()
    {
        using var fixture = new SignalStoreFixture();
        await fixture.Store.AppendTracesAsync(TestSignals.Spans(10, Time, TimeSpan.FromMilliseconds(1)));
        var first = await fixture.Store.FetchTracesAsync(Around());
        var span = first.ResourceSpans[0].ScopeSpans[0].Spans[0];
        var name = span.Name;
        span.Name = "changed";
        span.Attributes.Add(new KeyValue { Key = "added" });
        first.ResourceSpans[0].Resource.Attributes.Clear();

        var second = await fixture.Store.FetchTracesAsync(Around());
        second.ResourceSpans[0].ScopeSpans[0].Spans[0].Name.Should().Be(name);
        second.ResourceSpans[0].ScopeSpans[0].Spans[0].Attributes.Should().NotContain(kv => kv.Key == "added");
        second.ResourceSpans[0].Resource.Attributes.Should().NotBeEmpty();
    }

    [Test]
    public void Compression_level_and_read_ahead_are_validated()
    {
        var services = new ServiceCollection();
        services.AddOteleportCore(o =>
        {
            o.Storage.CompressionLevel = (ObjectCompressionLevel)7;
            o.Storage.ReadAhead = 0;
        });
        using var provider = services.BuildServiceProvider();
        var act = () => provider.GetRequiredService<IOptions<OteleportOptions>>().Value;
        act.Should().Throw<OptionsValidationException>()
            .Which.Failures.Should().Contain(f => f.Contains("storage.compression_level", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("storage.read_ahead", StringComparison.Ordinal));
    }
}

/// <summary>Records are partitioned by the hour of their own time in the configured zone, also across an hour's edge.</summary>
public class PartitionEdgeTests
{
    [TestCase("UTC", "2024/10/23/09", "2024/10/23/10")]
    [TestCase("Asia/Kolkata", "2024/10/23/15", "2024/10/23/16")]
    [TestCase("Asia/Kathmandu", "2024/10/23/15", "2024/10/23/16")]
    public async Task A_request_across_an_hour_edge_is_split_at_the_edge(string zone, string before, string after)
    {
        // Local hour edges: UTC 10:00, Kolkata (+5:30) 16:00 = 10:30 UTC, Kathmandu (+5:45) 16:00 = 10:15 UTC.
        var edge = zone switch
        {
            "UTC" => new DateTimeOffset(2024, 10, 23, 10, 0, 0, TimeSpan.Zero),
            "Asia/Kolkata" => new DateTimeOffset(2024, 10, 23, 10, 30, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(2024, 10, 23, 10, 15, 0, TimeSpan.Zero),
        };
        using var fixture = new SignalStoreFixture(o => o.Storage.TimeZone = zone);
        // 40 spans a second apart around the edge: 20 before it, 20 from it on.
        await fixture.Store.AppendTracesAsync(TestSignals.Spans(40, edge - TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(1)));
        async Task<int> SpansUnder(string folder)
        {
            var count = 0;
            await foreach (var stored in fixture.Objects.ListAsync($"traces/{folder}/"))
            {
                await using var stream = (await fixture.Objects.GetAsync(stored.Key))!;
                using var content = await ObjectFormat.ReadContentAsync(stream, stored.Size, CancellationToken.None);
                count += TestSignals.AllSpans(OtlpJson.Parse<TracesData>(content.WrittenSpan).ResourceSpans).Count;
            }
            return count;
        }
        (await SpansUnder(before)).Should().Be(20);
        (await SpansUnder(after)).Should().Be(20);
    }
}
