using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>
/// Turns a config file in the Go server's shape (<c>storage.cursor_encryption_key</c>, ...) into flat
/// configuration keys under <c>Oteleport</c> (<c>Oteleport:Storage:CursorEncryptionKey</c>).
/// </summary>
/// <remarks>
/// Keys are matched against the <see cref="OteleportOptions"/> property tree by reflection
/// (<see cref="OptionsTree"/>; snake_case without underscores, ignoring case), so a new option needs no mapping table. Walking
/// the options type rather than the JSON alone is what lets unknown keys and wrong JSON types fail at
/// start-up with the key's name, instead of being silently ignored by the binder.
/// </remarks>
internal sealed class ConfigFileMapper
{
    // The Go server accepts a bare string where these objects are expected; it fills this property.
    private static readonly Dictionary<Type, string> StringShorthands = new()
    {
        [typeof(AccessKeyOptions)] = nameof(AccessKeyOptions.SecretKey),
    };

    private readonly string _file;
    private readonly Func<string, string?> _lookup;
    private readonly Dictionary<string, string?> _data = new(StringComparer.OrdinalIgnoreCase);

    private ConfigFileMapper(string file, Func<string, string?> lookup)
    {
        _file = file;
        _lookup = lookup;
    }

    /// <summary>Maps <paramref name="root"/> onto the keys of <see cref="OteleportOptions"/>.</summary>
    /// <param name="root">The parsed file.</param>
    /// <param name="file">The file as the user named it, for messages.</param>
    /// <param name="lookup">Returns an environment variable, or null when it is not set.</param>
    /// <exception cref="InvalidDataException">An unknown key, a wrong JSON type or a bad <c>${NAME}</c>.</exception>
    public static Dictionary<string, string?> Map(JsonElement root, string file, Func<string, string?> lookup)
    {
        var mapper = new ConfigFileMapper(file, lookup);
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw mapper.Error($"the top level must be an object, not {Describe(root)}");
        }

        mapper.MapValue(root, typeof(OteleportOptions), OteleportOptions.SectionName, path: "");
        return mapper._data;
    }

    private void MapValue(JsonElement element, Type type, string key, string path)
    {
        // null means "not set", as Go's encoding/json leaves the field at its default.
        if (element.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (OptionsTree.IsScalar(type))
        {
            _data[key] = ScalarText(element, type, path);
        }
        else if (OptionsTree.DictionaryValueType(type) is { } valueType)
        {
            MapDictionary(element, valueType, key, path);
        }
        else if (OptionsTree.ElementType(type) is { } elementType)
        {
            MapArray(element, elementType, key, path);
        }
        else if (element.ValueKind == JsonValueKind.String && StringShorthands.TryGetValue(type, out var property))
        {
            MapValue(element, typeof(string), ConfigurationPath.Combine(key, property), path);
        }
        else
        {
            MapObject(element, type, key, path);
        }
    }

    private void MapObject(JsonElement element, Type type, string key, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(path, "an object", element);
        }

        var properties = OptionsTree.PropertiesIgnoringUnderscores(type);
        var seen = new HashSet<PropertyInfo>();
        foreach (var member in element.EnumerateObject())
        {
            string memberPath = path.Length == 0 ? member.Name : $"{path}.{member.Name}";
            if (!properties.TryGetValue(OptionsTree.WithoutUnderscores(member.Name), out var property))
            {
                string known = string.Join(", ", properties.Values.Select(p => ToSnakeCase(p.Name)));
                throw Error($"unknown key '{memberPath}' (known keys here: {known})");
            }

            // JsonDocument keeps duplicate keys; the later one would win silently.
            if (!seen.Add(property))
            {
                throw Error($"duplicate key '{memberPath}'");
            }

            MapValue(member.Value, property.PropertyType, ConfigurationPath.Combine(key, property.Name), memberPath);
        }
    }

    private void MapArray(JsonElement element, Type elementType, string key, string path)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(path, "an array", element);
        }

        int index = 0;
        foreach (var item in element.EnumerateArray())
        {
            string indexText = index.ToString(CultureInfo.InvariantCulture);
            MapValue(item, elementType, ConfigurationPath.Combine(key, indexText), $"{path}[{indexText}]");
            index++;
        }
    }

    // Dictionary keys are data (names chosen by the user), so they are kept as written.
    private void MapDictionary(JsonElement element, Type valueType, string key, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw WrongType(path, "an object", element);
        }

        foreach (var member in element.EnumerateObject())
        {
            MapValue(member.Value, valueType, ConfigurationPath.Combine(key, member.Name), $"{path}.{member.Name}");
        }
    }

    private string ScalarText(JsonElement element, Type type, string path)
    {
        if (type == typeof(string))
        {
            return element.ValueKind == JsonValueKind.String
                ? Expand(element.GetString()!, path, out _)
                : throw WrongType(path, "a string", element);
        }

        if (type == typeof(bool))
        {
            return element.ValueKind switch
            {
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                // A string is accepted only as "${NAME}", so that a flag can come from the environment.
                JsonValueKind.String when ExpandForNonString(element, path) is { } text =>
                    bool.TryParse(text, out bool value)
                        ? (value ? "true" : "false")
                        : throw Error($"'{path}' must be true or false, but its environment value is not"),
                _ => throw WrongType(path, "true or false", element),
            };
        }

        if (OptionsTree.IsNumber(type))
        {
            string? text = element.ValueKind switch
            {
                JsonValueKind.Number => element.GetRawText(),
                JsonValueKind.String => ExpandForNonString(element, path),
                _ => null,
            };
            if (text is null)
            {
                throw WrongType(path, "a number", element);
            }

            return FormatNumber(text, type)
                ?? throw Error($"'{path}' must be {NumberDescription(type)}"
                    + (element.ValueKind == JsonValueKind.String ? ", but its environment value is not" : ""));
        }

        // Enums, TimeSpan, Uri, ...: the binder converts the text, as it does for any other source.
        return element.ValueKind == JsonValueKind.String
            ? Expand(element.GetString()!, path, out _)
            : throw WrongType(path, "a string", element);
    }

    // A string for a bool or number key: its expansion when it holds a ${NAME}, else null (a type error).
    private string? ExpandForNonString(JsonElement element, string path)
    {
        string expanded = Expand(element.GetString()!, path, out bool substituted);
        return substituted ? expanded.Trim() : null;
    }

    private string Expand(string text, string path, out bool substituted)
    {
        try
        {
            return EnvironmentSubstitution.Expand(text, _lookup, out substituted);
        }
        catch (FormatException e)
        {
            throw Error($"{e.Message} (used by {path})", e);
        }
    }

    // The invariant text of a JSON number (or an expanded string) if it fits the type, else null.
    private static string? FormatNumber(string text, Type type)
    {
        var culture = CultureInfo.InvariantCulture;
        if (type == typeof(double) || type == typeof(float))
        {
            if (!double.TryParse(text, NumberStyles.Float, culture, out double real)
                || !(type == typeof(float) ? float.IsFinite((float)real) : double.IsFinite(real)))
            {
                return null;
            }

            return type == typeof(float) ? ((float)real).ToString(culture) : real.ToString(culture);
        }

        if (!decimal.TryParse(text, NumberStyles.Float, culture, out decimal number)
            || (type != typeof(decimal) && number != decimal.Truncate(number)))
        {
            return null;
        }

        try
        {
            return ((IFormattable)Convert.ChangeType(number, type, culture)).ToString(null, culture);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static string NumberDescription(Type type) =>
        type == typeof(double) || type == typeof(float) || type == typeof(decimal)
            ? "a number"
            : string.Create(
                CultureInfo.InvariantCulture,
                $"a whole number from {type.GetField("MinValue")!.GetValue(null)} to {type.GetField("MaxValue")!.GetValue(null)}");

    // For messages: "UseS3PathStyle" -> "use_s3_path_style", the spelling the file uses.
    private static string ToSnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (i > 0 && char.IsUpper(c) && !char.IsUpper(name[i - 1]))
            {
                result.Append('_');
            }

            result.Append(char.ToLowerInvariant(c));
        }

        return result.ToString();
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private InvalidDataException WrongType(string path, string expected, JsonElement actual) =>
        Error($"'{path}' must be {expected}, not {Describe(actual)}");

    private InvalidDataException Error(string message, Exception? inner = null) =>
        new($"{_file}: {message}", inner);
}
