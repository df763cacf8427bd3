using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Oteleport.Options;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>
/// Checks the <c>Oteleport</c> configuration section, whatever its sources (appsettings.json, environment
/// variables, the command line, the Go-style config file), against the <see cref="OteleportOptions"/>
/// property tree before it is bound. The binder silently ignores a key that matches no property
/// (<c>Oteleport__Storage__Flaten=true</c>) and a value where it expects a section
/// (<c>Oteleport__AccessKeys__0=secret</c>, which would leave the server without a key), and reports a
/// value it cannot convert with an exception that is no start-up message. Here each of those is an error
/// that names the full key.
/// </summary>
internal static class OteleportSectionCheck
{
    /// <summary>The problems of the section, one message per key; empty when it binds cleanly.</summary>
    public static List<string> Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        CheckObject(configuration.GetSection(OteleportOptions.SectionName), typeof(OteleportOptions), errors);
        return errors;
    }

    private static void CheckNode(IConfigurationSection section, Type type, List<string> errors)
    {
        var nullable = Nullable.GetUnderlyingType(type) is not null;
        type = Nullable.GetUnderlyingType(type) ?? type;
        var children = section.GetChildren().ToList();
        if (OptionsTree.IsScalar(type))
        {
            if (children.Count > 0)
            {
                errors.Add($"{section.Path} is a single value ({Describe(type)}), but it has the sub-key {children[0].Path}");
            }
            else if (section.Value is { } value && !(nullable && value.Length == 0) && !Converts(value, type))
            {
                // Only non-text settings get here, so the value is no secret and helps to spot the typo.
                errors.Add($"{section.Path}: '{value}' is not {Describe(type)}");
            }
            return;
        }
        if (OptionsTree.DictionaryValueType(type) is { } valueType)
        {
            ExpectSection(section, children, "a section of named entries", errors);
            foreach (var child in children)
            {
                CheckNode(child, valueType, errors);
            }
            return;
        }
        if (OptionsTree.ElementType(type) is { } elementType)
        {
            ExpectSection(section, children, $"a list: use {section.Path}:0, {section.Path}:1, ...", errors);
            foreach (var child in children)
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add($"{child.Path}: '{child.Key}' is not a list index (0, 1, ...)");
                    continue;
                }
                CheckNode(child, elementType, errors);
            }
            return;
        }
        CheckObject(section, type, errors);
    }

    private static void CheckObject(IConfigurationSection section, Type type, List<string> errors)
    {
        var children = section.GetChildren().ToList();
        if (section.Value is { Length: > 0 })
        {
            // Never echo the value: for an access key it is the secret itself.
            var keys = string.Join(", ", OptionsTree.PropertyNames(type).Select(name => $"{section.Path}:{name}"));
            errors.Add($"{section.Path} is a section, not a value: set {keys} (the value given is ignored)");
        }
        foreach (var child in children)
        {
            if (OptionsTree.PropertyNamed(type, child.Key) is { } property)
            {
                CheckNode(child, property.PropertyType, errors);
            }
            else
            {
                errors.Add($"unknown key {child.Path} (known keys in {section.Path}: {string.Join(", ", OptionsTree.PropertyNames(type))})");
            }
        }
    }

    private static void ExpectSection(IConfigurationSection section, List<IConfigurationSection> children, string expected, List<string> errors)
    {
        if (section.Value is { Length: > 0 } && children.Count == 0)
        {
            errors.Add($"{section.Path} is {expected}, not a value");
        }
    }

    // As the binder converts: through the type's converter, with the invariant culture (empty is null for a Nullable<T>, above).
    private static bool Converts(string value, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException
                                   || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static string Describe(Type type)
    {
        if (type == typeof(bool))
        {
            return "true or false";
        }
        if (type == typeof(TimeSpan))
        {
            return "a time span such as 00:00:05 (hh:mm:ss) or 31.00:00:00 (days.hh:mm:ss)";
        }
        if (type.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(type));
        }
        if (OptionsTree.IsNumber(type))
        {
            return type == typeof(double) || type == typeof(float) || type == typeof(decimal)
                ? "a number"
                : string.Create(CultureInfo.InvariantCulture,
                    $"a whole number from {type.GetField("MinValue")!.GetValue(null)} to {type.GetField("MaxValue")!.GetValue(null)}");
        }
        return type == typeof(string) ? "text" : $"a valid {type.Name}";
    }
}
