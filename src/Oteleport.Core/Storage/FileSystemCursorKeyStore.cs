using Oteleport.Cursor;

namespace Oteleport.Storage;

/// <summary>Keeps the generated cursor key in the data folder, readable by the owner only.</summary>
internal sealed class FileSystemCursorKeyStore(string rootPath) : ICursorKeyStore
{
    public const string FileName = ".oteleport-cursor-key";

    public byte[] GetOrCreateKey()
    {
        var path = Path.Combine(rootPath, FileName);
        if (File.Exists(path))
        {
            return CursorKey.Parse(File.ReadAllText(path), out _);
        }
        Directory.CreateDirectory(rootPath);
        var value = CursorKey.Generate();
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(temp, System.Text.Encoding.ASCII, fileOptions))
        {
            writer.Write(value);
        }
        try
        {
            // Two processes starting at once: the first key written wins and both use it.
            File.Move(temp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temp);
        }
        return CursorKey.Parse(File.ReadAllText(path), out _);
    }
}
