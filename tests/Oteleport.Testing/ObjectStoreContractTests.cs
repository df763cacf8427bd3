using System.IO.Compression;
using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Oteleport.Storage;

namespace Oteleport.Testing;

/// <summary>
/// What every <see cref="IObjectStore"/> must do. A backend's test fixture derives from this class and
/// says how to make a fresh, empty store; NUnit then runs these tests against it.
/// </summary>
public abstract class ObjectStoreContractTests
{
    private static readonly ObjectMetadata Json = new("application/json");
    private static readonly ObjectMetadata GzipJson = new("application/json", "gzip");

    /// <summary>Makes a fresh store that holds no object.</summary>
    protected abstract Task<IObjectStore> CreateStoreAsync();

    [Test]
    public async Task Put_then_get_returns_the_same_bytes()
    {
        var store = await CreateStoreAsync();
        var bytes = new byte[70_000];
        new Random(7).NextBytes(bytes);
        bytes[0] = 0;
        bytes[^1] = 0xff;

        await store.PutAsync("blobs/random.bin", bytes, new ObjectMetadata("application/octet-stream"));

        (await ReadAsync(store, "blobs/random.bin")).Should().Equal(bytes);
    }

    [Test]
    public async Task Gzip_bytes_are_stored_and_returned_as_they_are()
    {
        var store = await CreateStoreAsync();
        var json = Encoding.UTF8.GetBytes("{\"resourceSpans\":[" + string.Join(',', Enumerable.Repeat("{}", 500)) + "]}");
        var gzip = Gzip(json);

        await store.PutAsync("traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz", gzip, GzipJson);

        var stored = await ReadAsync(store, "traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz");
        stored.Should().Equal(gzip, "the store keeps the compressed bytes and never decompresses them");
        Gunzip(stored!).Should().Equal(json);
    }

    [Test]
    public async Task Empty_content_round_trips()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("empty.json", ReadOnlyMemory<byte>.Empty, Json);

        (await ReadAsync(store, "empty.json")).Should().BeEmpty();
        (await ListAsync(store, "")).Should().Equal(new StoredObject("empty.json", 0));
    }

    [Test]
    public async Task Content_from_a_slice_of_a_larger_buffer_is_stored_exactly()
    {
        var store = await CreateStoreAsync();
        var buffer = Encoding.ASCII.GetBytes("xxxx{\"a\":1}yyyy");

        await store.PutAsync("slice.json", buffer.AsMemory(4, 7), Json);

        Encoding.ASCII.GetString((await ReadAsync(store, "slice.json"))!).Should().Be("{\"a\":1}");
    }

    [Test]
    public async Task Get_of_a_missing_key_returns_null()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("traces/a.json", "{}"u8.ToArray(), Json);

        (await store.GetAsync("traces/b.json")).Should().BeNull();
        (await store.GetAsync("traces/a.json.gz")).Should().BeNull();
        (await store.GetAsync("traces")).Should().BeNull("a key prefix is not an object");
    }

    [Test]
    public async Task List_of_an_empty_store_or_unknown_prefix_is_empty()
    {
        var store = await CreateStoreAsync();
        (await ListAsync(store, "")).Should().BeEmpty();
        (await ListAsync(store, "traces/")).Should().BeEmpty();

        await store.PutAsync("traces/x.json", "{}"u8.ToArray(), Json);
        (await ListAsync(store, "logs/")).Should().BeEmpty();
    }

    [Test]
    public async Task List_returns_the_keys_under_a_prefix_in_ordinal_order_with_sizes()
    {
        var store = await CreateStoreAsync();
        string[] keys =
        [
            "traces/2024/10/23/10/spans-20241023100000-00000001.json",
            "traces/2024/10/23/09/spans-20241023095959-zzzzzzzz.json",
            "traces/2024/10/23/09/spans-20241023090000-AAAAAAAA.json",
            "traces/2024/10/23/09/spans-20241023090000-bbbbbbbb.json",
            "traces/2024/10/22/23/spans-20241022230000-00000000.json",
            "metrics/2024/10/23/09/data-points-20241023090000-00000000.json",
            "tracesX/other.json",
        ];
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            await store.PutAsync(key, new byte[i + 1], Json);
        }

        var listed = await ListAsync(store, "traces/");

        listed.Select(o => o.Key).Should().Equal(
            "traces/2024/10/22/23/spans-20241022230000-00000000.json",
            "traces/2024/10/23/09/spans-20241023090000-AAAAAAAA.json",
            "traces/2024/10/23/09/spans-20241023090000-bbbbbbbb.json",
            "traces/2024/10/23/09/spans-20241023095959-zzzzzzzz.json",
            "traces/2024/10/23/10/spans-20241023100000-00000001.json");
        listed.Should().Contain(new StoredObject("traces/2024/10/22/23/spans-20241022230000-00000000.json", 5));
        listed.Should().Contain(new StoredObject("traces/2024/10/23/10/spans-20241023100000-00000001.json", 1));

        (await ListAsync(store, "")).Select(o => o.Key).Should()
            .Equal(keys.Order(StringComparer.Ordinal), "an empty prefix lists everything");
    }

    /// <summary>
    /// Keys whose order differs between an ordinal sort and a depth-first folder walk. Virtual only so
    /// that tests run against an emulator with a known ordering defect (s3rver) can state that defect
    /// instead; every real store must pass this test as written.
    /// </summary>
    [Test]
    public virtual async Task List_orders_by_ordinal_key_not_by_folder()
    {
        // '-' (0x2D) < '.' (0x2E) < '/' (0x2F) < '0' (0x30): a store that walks folders depth-first
        // would put "a/b" before "a-c" and get this wrong. No two keys differ only in case, so that a
        // store on a case-insensitive file system can pass too.
        var store = await CreateStoreAsync();
        string[] keys = ["a/b", "a-c", "a.d", "a0", "a/a/z", "aC", "ab", "B"];
        foreach (var key in keys)
        {
            await store.PutAsync(key, "x"u8.ToArray(), Json);
        }

        (await ListAsync(store, "")).Select(o => o.Key).Should().Equal(keys.Order(StringComparer.Ordinal));
        (await ListAsync(store, "a")).Select(o => o.Key).Should()
            .Equal(keys.Where(k => k.StartsWith('a')).Order(StringComparer.Ordinal));
    }

    [Test]
    public async Task StartAfter_is_exclusive()
    {
        var store = await CreateStoreAsync();
        string[] keys = ["logs/h/records-1.json", "logs/h/records-2.json", "logs/h/records-3.json", "logs/h/records-4.json"];
        foreach (var key in keys)
        {
            await store.PutAsync(key, "{}"u8.ToArray(), Json);
        }

        (await ListAsync(store, "logs/h/", "logs/h/records-2.json")).Select(o => o.Key).Should()
            .Equal("logs/h/records-3.json", "logs/h/records-4.json");
        (await ListAsync(store, "logs/h/", "logs/h/records-4.json")).Should().BeEmpty();
        (await ListAsync(store, "logs/h/", "logs/h/records-2.z")).Select(o => o.Key).Should()
            .Equal(["logs/h/records-3.json", "logs/h/records-4.json"], "start-after need not be an existing key");
        (await ListAsync(store, "logs/h/", "logs/a")).Select(o => o.Key).Should()
            .Equal(keys, "a start-after before the prefix leaves the whole prefix");
        (await ListAsync(store, "logs/h/", "logs/z")).Should().BeEmpty("a start-after past the prefix leaves nothing");
        (await ListAsync(store, "logs/h/", "")).Select(o => o.Key).Should().Equal(keys, "an empty start-after is none");
    }

    [Test]
    public async Task A_prefix_may_end_inside_a_file_name()
    {
        var store = await CreateStoreAsync();
        string[] keys =
        [
            "traces/2024/10/23/09/spans-20241023090000-AbCd1234.json.gz",
            "traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz",
            "traces/2024/10/23/09/spans-20241023093001-EfGh5678.json.gz",
            "traces/2024/10/23/09/spans-20241023094500-IjKl9012.json.gz",
        ];
        foreach (var key in keys)
        {
            await store.PutAsync(key, Gzip("{}"u8.ToArray()), GzipJson);
        }

        (await ListAsync(store, "traces/2024/10/23/09/spans-2024102309300")).Select(o => o.Key).Should()
            .Equal(keys[1], keys[2]);
        (await ListAsync(store, "traces/2024/10/23/09/sp")).Should().HaveCount(4);
        (await ListAsync(store, "traces/2024/10/23/0")).Should().HaveCount(4);
        (await ListAsync(store, "traces/2024/10/23/09/spans-2024102309300", keys[1])).Select(o => o.Key).Should()
            .Equal(keys[2]);
    }

    [Test]
    public async Task Overwrite_replaces_the_content()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("k.json", "first version, longer"u8.ToArray(), Json);
        await store.PutAsync("k.json", "second"u8.ToArray(), Json);

        Encoding.UTF8.GetString((await ReadAsync(store, "k.json"))!).Should().Be("second");
        (await ListAsync(store, "")).Should().Equal(new StoredObject("k.json", 6));
    }

    [Test]
    public async Task Go_layout_keys_round_trip_and_list_by_hour_and_day()
    {
        var store = await CreateStoreAsync();
        string[] keys =
        [
            "traces/2024/10/23/09/spans-20241023093000-AbCd1234.json.gz",
            "traces/2024/10/23/10/spans-20241023100102-ZyXw9876.json",
            "metrics/2024/10/23/09/data-points-20241023093000-AbCd1234.json.gz",
            "logs/2024/10/23/09/records-20241023093000-AbCd1234.json.gz",
        ];
        foreach (var key in keys)
        {
            await store.PutAsync(key, Gzip(Encoding.UTF8.GetBytes(key)), GzipJson);
        }

        foreach (var key in keys)
        {
            Gunzip((await ReadAsync(store, key))!).Should().Equal(Encoding.UTF8.GetBytes(key));
        }

        (await ListAsync(store, "traces/2024/10/23/09/")).Select(o => o.Key).Should().Equal(keys[0]);
        (await ListAsync(store, "traces/2024/10/23/")).Select(o => o.Key).Should().Equal(keys[0], keys[1]);
        (await ListAsync(store, "metrics/2024/10/23/09/")).Select(o => o.Key).Should().Equal(keys[2]);
        (await ListAsync(store, "logs/")).Select(o => o.Key).Should().Equal(keys[3]);
    }

    [Test]
    public async Task Many_keys_are_listed_completely_and_in_order()
    {
        const int count = 2500;
        var store = await CreateStoreAsync();
        var keys = Enumerable.Range(0, count)
            .Select(i => $"traces/2024/10/23/{i % 24:00}/spans-20241023{i % 24:00}0000-{i:x8}.json")
            .ToArray();
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
            await store.PutAsync(key, "{}"u8.ToArray(), Json, ct));
        await store.PutAsync("traces0-outside.json", "{}"u8.ToArray(), Json);

        var sorted = keys.Order(StringComparer.Ordinal).ToArray();
        (await ListAsync(store, "traces/")).Select(o => o.Key).Should().Equal(sorted);

        var from = sorted[1234];
        (await ListAsync(store, "traces/", from)).Select(o => o.Key).Should().Equal(sorted.Skip(1235));
    }

    [Test]
    public async Task Listing_can_stop_early()
    {
        var store = await CreateStoreAsync();
        for (var i = 0; i < 5; i++)
        {
            await store.PutAsync($"k{i}", "x"u8.ToArray(), Json);
        }

        var first = new List<string>();
        await foreach (var o in store.ListAsync(""))
        {
            first.Add(o.Key);
            if (first.Count == 2)
            {
                break;
            }
        }

        first.Should().Equal("k0", "k1");
    }

    /// <summary>Reads a whole object, or null when there is none.</summary>
    protected static async Task<byte[]?> ReadAsync(IObjectStore store, string key)
    {
        await using var stream = await store.GetAsync(key);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Collects a listing.</summary>
    protected static async Task<List<StoredObject>> ListAsync(IObjectStore store, string prefix, string? startAfter = null)
    {
        var result = new List<StoredObject>();
        await foreach (var o in store.ListAsync(prefix, startAfter))
        {
            result.Add(o);
        }

        return result;
    }

    /// <summary>gzip-compresses bytes.</summary>
    protected static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Decompresses gzip bytes.</summary>
    protected static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
