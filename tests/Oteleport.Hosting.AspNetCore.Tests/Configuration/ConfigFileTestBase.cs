using Microsoft.Extensions.Configuration;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Tests.Configuration;

/// <summary>A temporary folder for config files, and environment variables restored after each test.</summary>
public abstract class ConfigFileTestBase
{
    private readonly Dictionary<string, string?> _savedVariables = new();
    private string _folder = "";

    [SetUp]
    public void CreateFolder()
    {
        _folder = Path.Combine(Path.GetTempPath(), "oteleport-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void Restore()
    {
        foreach (var (name, value) in _savedVariables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _savedVariables.Clear();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Sets (or with null, removes) a variable for this test only.</summary>
    protected void SetVariable(string name, string? value)
    {
        _savedVariables.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    protected string WriteFile(string content, string fileName = "oteleport.json")
    {
        string path = Path.Combine(_folder, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    protected static IConfigurationRoot BuildConfiguration(string path) =>
        new ConfigurationBuilder().AddOteleportConfigFile(path).Build();

    protected static OteleportOptions Bind(IConfiguration configuration)
    {
        var options = new OteleportOptions();
        configuration.GetSection(OteleportOptions.SectionName).Bind(options);
        return options;
    }

    protected OteleportOptions Load(string json) => Bind(BuildConfiguration(WriteFile(json)));

    protected Action Loading(string json, string fileName = "oteleport.json")
    {
        string path = WriteFile(json, fileName);
        return () => BuildConfiguration(path);
    }
}
