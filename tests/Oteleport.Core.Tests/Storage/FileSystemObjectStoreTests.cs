using Oteleport.Storage;
using Oteleport.Testing;

namespace Oteleport.Core.Tests.Storage;

/// <summary>The file store passes the same contract as every object store.</summary>
public class FileSystemObjectStoreContractTests : ObjectStoreContractTests
{
    private readonly List<TempFolder> _folders = new();

    protected override Task<IObjectStore> CreateStoreAsync()
    {
        var folder = new TempFolder("objects");
        _folders.Add(folder);
        return Task.FromResult<IObjectStore>(new FileSystemObjectStore(folder.Path));
    }

    [TearDown]
    public void DeleteFolders()
    {
        _folders.ForEach(f => f.Dispose());
        _folders.Clear();
    }
}

public class FileSystemObjectStoreTests
{
    [Test]
    public async Task A_write_in_progress_is_never_listed()
    {
        using var folder = new TempFolder("objects");
        var store = new FileSystemObjectStore(folder.Path);
        await store.PutAsync("traces/2024/10/23/09/spans-a.json", new byte[] { 1 }, new ObjectMetadata("application/json"));
        await File.WriteAllBytesAsync(Path.Combine(folder.Path, "traces/2024/10/23/09/.spans-b.json.tmp-123"), [2]);
        var keys = new List<string>();
        await foreach (var o in store.ListAsync("traces/2024/10/23/09/"))
        {
            keys.Add(o.Key);
        }
        keys.Should().Equal("traces/2024/10/23/09/spans-a.json");
    }

    [TestCase("../outside")]
    [TestCase("/etc/passwd")]
    [TestCase("a\\b")]
    public async Task Keys_cannot_leave_the_folder(string key)
    {
        using var folder = new TempFolder("objects");
        var store = new FileSystemObjectStore(folder.Path);
        var act = () => store.PutAsync(key, new byte[] { 1 }, new ObjectMetadata("application/json"));
        await act.Should().ThrowAsync<ArgumentException>();
    }

    [Test]
    public async Task An_unusable_folder_fails_the_check_with_its_path()
    {
        // A folder below a regular file can be created by nobody, root included.
        using var folder = new TempFolder("objects");
        var file = Path.Combine(folder.Path, "a-file");
        await File.WriteAllTextAsync(file, "x");
        var act = () => new FileSystemObjectStore(Path.Combine(file, "data")).CheckAsync();
        (await act.Should().ThrowAsync<StorageUnavailableException>()).WithMessage("*a-file/data is not writable*");
    }
}
