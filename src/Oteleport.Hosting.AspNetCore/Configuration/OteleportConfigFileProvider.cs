using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>Loads an <see cref="OteleportConfigFileSource"/>: reads, parses and maps the file.</summary>
internal sealed class OteleportConfigFileProvider : ConfigurationProvider
{
    // Comments and trailing commas: hand-written config files have them, and Jsonnet users expect them.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly OteleportConfigFileSource _source;

    public OteleportConfigFileProvider(OteleportConfigFileSource source) => _source = source;

    public override void Load()
    {
        string name = _source.Path;
        string fullPath = Path.GetFullPath(name);
        if (!File.Exists(fullPath))
        {
            if (_source.Optional)
            {
                Data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                return;
            }

            throw new FileNotFoundException($"{name}: config file not found (looked for {fullPath})", fullPath);
        }

        string text = File.ReadAllText(fullPath);
        using var document = Parse(text, name);
        Data = ConfigFileMapper.Map(document.RootElement, name, Environment.GetEnvironmentVariable);
    }

    private static JsonDocument Parse(string text, string name)
    {
        try
        {
            return JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException e) when (LooksLikeJsonnet(text, name))
        {
            // The Go server evaluates Jsonnet; this one deliberately does not (no Jsonnet runtime here).
            string stem = Path.GetFileNameWithoutExtension(name);
            string jsonnetFile = IsJsonnetExtension(name) ? Path.GetFileName(name) : stem + ".jsonnet";
            throw new InvalidDataException(
                $"{name}: Jsonnet is not evaluated: render it to JSON first, e.g. `jsonnet {jsonnetFile} > {stem}.json`"
                + " (or write JSON with \"${NAME}\" in place of must_env('NAME'))",
                e);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(
                $"{name}: not valid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}: {Reason(e)}", e);
        }
    }

    // System.Text.Json appends its own 0-based position ("Path: $ | LineNumber: 0 | ..."); keep only the reason.
    private static string Reason(JsonException e)
    {
        string message = e.Message;
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return cut > 0 ? message[..cut] : message;
    }

    private static bool IsJsonnetExtension(string name) =>
        Path.GetExtension(name) is var extension
        && (extension.Equals(".jsonnet", StringComparison.OrdinalIgnoreCase)
            || extension.Equals(".libsonnet", StringComparison.OrdinalIgnoreCase));

    // A .jsonnet name, or a first statement of "local ..." as in the Go server's examples.
    private static bool LooksLikeJsonnet(string text, string name)
    {
        if (IsJsonnetExtension(name))
        {
            return true;
        }

        var rest = SkipWhitespaceAndComments(text.AsSpan());
        return rest.StartsWith("local", StringComparison.Ordinal) && rest.Length > 5 && char.IsWhiteSpace(rest[5]);
    }

    private static ReadOnlySpan<char> SkipWhitespaceAndComments(ReadOnlySpan<char> text)
    {
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("//") || text.StartsWith("#"))
            {
                int end = text.IndexOf('\n');
                text = end < 0 ? [] : text[(end + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                int end = text.IndexOf("*/");
                text = end < 0 ? [] : text[(end + 2)..];
            }
            else
            {
                return text;
            }
        }
    }
}
