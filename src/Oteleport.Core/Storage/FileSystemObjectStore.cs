using System.IO.Enumeration;
using System.Runtime.CompilerServices;

namespace Oteleport.Storage;

/// <summary>
/// Objects as files under a folder: the key <c>traces/2024/10/23/09/spans-...json.gz</c> is that
/// relative path. Writes go to a temporary file that is then renamed, so a reader never sees half an object.
/// </summary>
public sealed class FileSystemObjectStore : IObjectStore
{
    private const string TempMarker = ".tmp-";

    /// <summary>Creates a store rooted at <paramref name="rootPath"/> (created when missing).</summary>
    public FileSystemObjectStore(string rootPath)
    {
        RootPath = Path.GetFullPath(rootPath);
    }

    /// <summary>The absolute folder of the store.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public Task PutAsync(string key, ReadOnlyMemory<byte> content, ObjectMetadata metadata, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        cancellationToken.ThrowIfCancellationRequested();
        // fsync and rename block their thread, for milliseconds, and for hundreds of them when the disk is
        // busy. On the thread pool of a small machine (two threads to begin with) a few such writes would
        // starve the receivers until the pool grows, so they run on a thread of their own.
        return Task.Factory.StartNew(() => Write(key, path, content), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Write(string key, string path, ReadOnlyMemory<byte> content)
    {
        var folder = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(folder, $".{Path.GetFileName(path)}{TempMarker}{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(folder);
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            {
                file.Write(content.Span);
                // Acknowledged means durable: flush to the disk before the rename makes it visible.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StorageUnavailableException($"cannot write {key} under {RootPath}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, string? startAfter = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The prefix's folder part names a directory; the rest must start the relative key.
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? RootPath : PathOf(prefix[..slash]);
        if (!Directory.Exists(folder))
        {
            yield break;
        }
        // Names first, sizes only for the entries handed out: a fetch walking a busy hour lists it for
        // every page and reads a few entries, so a stat of every file each time would cost more than the reading.
        List<(string Key, string Path)> found;
        try
        {
            found = new List<(string, string)>();
            var files = new FileSystemEnumerable<string>(folder, static (ref FileSystemEntry entry) => entry.ToFullPath(), ListOptions)
            {
                ShouldIncludePredicate = static (ref FileSystemEntry entry) =>
                    !entry.IsDirectory && !(entry.FileName.StartsWith('.') && entry.FileName.Contains(TempMarker, StringComparison.Ordinal)), // a write in progress
            };
            foreach (var path in files)
            {
                var key = Path.GetRelativePath(RootPath, path).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix, StringComparison.Ordinal) && (startAfter is null || string.CompareOrdinal(key, startAfter) > 0))
                {
                    found.Add((key, path));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"cannot list {prefix} under {RootPath}: {ex.Message}", ex);
        }
        found.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, path) in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long size;
            try
            {
                size = new FileInfo(path).Length;
            }
            catch (FileNotFoundException)
            {
                continue; // removed since it was listed
            }
            yield return new StoredObject(key, size);
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = 0, // names starting with a dot are "hidden" on Unix; temporary files are told apart by name
        IgnoreInaccessible = false,
    };

    /// <inheritdoc />
    public Task<Stream?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = PathOf(key);
        if (Directory.Exists(path))
        {
            return Task.FromResult<Stream?>(null); // a key prefix, not an object
        }
        try
        {
            return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"cannot read {key} under {RootPath}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task CheckAsync(CancellationToken cancellationToken = default)
    {
        var probe = Path.Combine(RootPath, $".probe{TempMarker}{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(RootPath);
            await File.WriteAllBytesAsync(probe, [1], cancellationToken).ConfigureAwait(false);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageUnavailableException($"the storage folder {RootPath} is not writable: {ex.Message}", ex);
        }
    }

    private string PathOf(string key)
    {
        if (key.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(key) || key.Contains('\\'))
        {
            throw new ArgumentException($"invalid object key '{key}'", nameof(key));
        }
        return Path.Combine(RootPath, key.Replace('/', Path.DirectorySeparatorChar));
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // best effort: a leftover temp file is skipped by listings
        }
    }
}
