namespace Oteleport.Testing;

/// <summary>Finds files of the source tree (not of bin/) from a running test.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The folder that holds Oteleport.sln.</summary>
    public static string RepositoryRoot => Root.Value;

    /// <summary>A path under the repository root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    private static string FindRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Oteleport.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"Cannot find Oteleport.sln above {AppContext.BaseDirectory}: the tests must run from the source tree.");
    }
}
