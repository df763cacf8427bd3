using Oteleport.Testing;

namespace Oteleport.Storage.S3.Tests;

/// <summary>The object store contract, run against s3rver with a fresh bucket per test.</summary>
public abstract class S3ContractTestsBase : ObjectStoreContractTests
{
    private readonly List<IDisposable> _disposables = [];

    /// <summary>Builds the store under test for a fresh bucket.</summary>
    protected abstract S3ObjectStore CreateStore(string bucket, S3rverServer server, List<IDisposable> disposables);

    protected override async Task<IObjectStore> CreateStoreAsync()
    {
        var server = S3rverFixture.Server;
        var bucket = await server.CreateBucketAsync();
        return CreateStore(bucket, server, _disposables);
    }

    [TearDown]
    public void DisposeStores()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }

        _disposables.Clear();
    }

    /// <summary>
    /// s3rver 3.7.1 lists by walking its folders depth-first (each folder's entries sorted by file name,
    /// every object file carrying a "._S3rver_object" suffix), so "a/b" comes before "a-c" and "a-c"
    /// before "a"; since it resumes a page after the last key by ordinal comparison, such keys can even
    /// be skipped across pages. Amazon S3 lists in UTF-8 byte order, which the base test checks, and the
    /// store passes the server's order through unchanged. The Go layout never puts a file beside a
    /// folder whose name is a prefix of the file's, so here the same ordering rules are checked with keys
    /// whose folder names clash with no file name.
    /// </summary>
    [Test]
    public override async Task List_orders_by_ordinal_key_not_by_folder()
    {
        var store = await CreateStoreAsync();
        string[] keys = ["b/x", "a-c", "a.d", "a0", "c/a/z", "c/b-", "aC", "ab", "B"];
        foreach (var key in keys)
        {
            await store.PutAsync(key, "x"u8.ToArray(), new ObjectMetadata("application/json"));
        }

        (await ListAsync(store, "")).Select(o => o.Key).Should().Equal(keys.Order(StringComparer.Ordinal));
        (await ListAsync(store, "a")).Select(o => o.Key).Should()
            .Equal(keys.Where(k => k.StartsWith('a')).Order(StringComparer.Ordinal));
    }
}

/// <summary>With a key prefix under the bucket and S3's usual page size.</summary>
[TestFixture]
public sealed class S3ObjectStoreContractTests : S3ContractTestsBase
{
    protected override S3ObjectStore CreateStore(string bucket, S3rverServer server, List<IDisposable> disposables)
    {
        var store = S3ObjectStore.Create($"s3://{bucket}/contract/run-1/", server.CreateAwsOptions());
        disposables.Add(store);
        return store;
    }
}

/// <summary>At the bucket's root with tiny list pages, so that every listing follows continuation tokens.</summary>
[TestFixture]
public sealed class S3ObjectStoreSmallPageContractTests : S3ContractTestsBase
{
    protected override S3ObjectStore CreateStore(string bucket, S3rverServer server, List<IDisposable> disposables)
    {
        var owner = S3ObjectStore.Create($"s3://{bucket}", server.CreateAwsOptions());
        disposables.Add(owner);
        return new S3ObjectStore(owner.Client, $"s3://{bucket}/", chunkedUpload: false) { ListPageSize = 3 };
    }
}
