using System.IO.Compression;
using System.Text;
using OpenTelemetry.Proto.Trace.V1;
using Oteleport.Options;
using Oteleport.Query;
using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>A partition may hold documents and flatten objects, gzipped or not, whatever the current setting.</summary>
public class FlattenMixedPartitionTests
{
    private static readonly DateTimeOffset Time = new(2024, 10, 23, 9, 30, 0, TimeSpan.Zero);
    private const string Partition = "traces/2024/10/23/09/";

    private static readonly FetchQuery Around = new()
    {
        StartTimeUnixNano = TestSignals.UnixNano(Time - TimeSpan.FromHours(1)),
        EndTimeUnixNano = TestSignals.UnixNano(Time + TimeSpan.FromHours(1)),
    };

    private static string FlattenLine(string name, string traceId, string spanId, int second) =>
        "{\"resourceAttributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"placed-by-hand\"}}],\"scopeName\":\"manual\"," +
        $"\"traceId\":\"{traceId}\",\"spanId\":\"{spanId}\",\"name\":\"{name}\",\"kind\":1," +
        $"\"startTimeUnixNano\":\"{TestSignals.UnixNano(Time + TimeSpan.FromSeconds(second))}\",\"endTimeUnixNano\":\"{TestSignals.UnixNano(Time + TimeSpan.FromSeconds(second + 1))}\"}}";

    private static byte[] Gzip(byte[] plain)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(plain);
        }
        return output.ToArray();
    }

    [Test]
    public async Task Documents_and_flatten_objects_of_one_partition_are_all_fetched_in_key_order()
    {
        using var folder = new TempFolder("mixed");
        var namesByKey = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);

        // Objects written by this server under each combination of the two settings.
        var settings = new (bool Flatten, bool Gzip)[] { (false, true), (true, true), (false, false), (true, false), (true, true), (false, true) };
        for (var i = 0; i < settings.Length; i++)
        {
            var (flatten, gzip) = settings[i];
            using var fixture = new SignalStoreFixture(o => { o.Storage.Flatten = flatten; o.Storage.Gzip = gzip; }, folder);
            var before = await KeysAsync(fixture.Objects);
            var data = TestSignals.Spans(5, Time + TimeSpan.FromMinutes(i), TimeSpan.FromSeconds(1), services: 2, offset: i * 5);
            await fixture.Store.AppendTracesAsync(data);
            var written = (await KeysAsync(fixture.Objects)).Except(before).Should().ContainSingle().Subject;
            written.Should().EndWith(gzip ? ".json.gz" : ".json");
            await using (var stored = await fixture.Objects.GetAsync(written))
            {
                var content = Encoding.UTF8.GetString(await ObjectFormat.ReadContentAsync(stored!, CancellationToken.None));
                content.Should().StartWith(flatten ? "{\"resourceAttributes\":" : "{\"resourceSpans\":");
                content.Split('\n').Should().HaveCount(flatten ? 5 : 1);
            }
            namesByKey[written] = TestSignals.AllSpans(data.ResourceSpans).Select(s => s.Name).ToList();
        }

        using (var fixture = new SignalStoreFixture(folder: folder))
        {
            // An uncompressed flatten object with a final newline, as another writer may leave it.
            var handPlaced = Partition + "spans-20241023093000-handflat.json";
            var text = FlattenLine("hand-0", "5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B174", 0) + "\n"
                + FlattenLine("hand-1", "5B8EFFF798038103D269B633813FC60C", "EEE19B7EC3C1B175", 1) + "\n";
            await fixture.Objects.PutAsync(handPlaced, Encoding.UTF8.GetBytes(text), new ObjectMetadata("application/json"));
            namesByKey[handPlaced] = ["hand-0", "hand-1"];

            // A gzipped flatten object whose ids are lower-case hex.
            var lowerHex = Partition + "spans-20241023093001-lowerhex.json.gz";
            var lower = FlattenLine("lower-0", "5b8efff798038103d269b633813fc60d", "eee19b7ec3c1b176", 2);
            await fixture.Objects.PutAsync(lowerHex, Gzip(Encoding.UTF8.GetBytes(lower)), new ObjectMetadata("application/json", "gzip"));
            namesByKey[lowerHex] = ["lower-0"];
        }

        var expected = namesByKey.Values.SelectMany(n => n).ToList();
        expected.Should().HaveCount(6 * 5 + 3);

        // Read with either setting: the reader decides per object.
        foreach (var flatten in new[] { false, true })
        {
            using var reader = new SignalStoreFixture(o => o.Storage.Flatten = flatten, folder);
            var all = TestSignals.AllSpans((await reader.Store.FetchTracesAsync(Around)).ResourceSpans);
            all.Select(s => s.Name).Should().Equal(expected, "every object is read, objects in key order, records in object order");
            all.Single(s => s.Name == "lower-0").TraceId.ToByteArray().Should().Equal(Convert.FromHexString("5B8EFFF798038103D269B633813FC60D"));
            all.Single(s => s.Name == "lower-0").SpanId.ToByteArray().Should().Equal(Convert.FromHexString("EEE19B7EC3C1B176"));

            foreach (var limit in new[] { 1, 4, 9 })
            {
                var walked = new List<string>();
                string? cursor = null;
                do
                {
                    var page = await reader.Store.FetchTracesAsync(Around with { Limit = limit, Cursor = cursor });
                    walked.AddRange(TestSignals.AllSpans(page.ResourceSpans).Select(s => s.Name));
                    cursor = page.HasMore ? page.NextCursor : null;
                }
                while (cursor is not null);
                walked.Should().Equal(expected, $"paging by {limit} walks the same records");
            }
        }
    }

    private static async Task<HashSet<string>> KeysAsync(IObjectStore objects)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var stored in objects.ListAsync(Partition, null))
        {
            keys.Add(stored.Key);
        }
        return keys;
    }
}
