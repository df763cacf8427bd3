using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>
/// The shape of an options type as the configuration binder sees it: scalars (converted from text),
/// dictionaries with string keys, lists and arrays, and objects with public properties. Both the Go-style
/// config file (<see cref="ConfigFileMapper"/>) and the check of the <c>Oteleport</c> section
/// (<see cref="OteleportSectionCheck"/>) walk <see cref="Oteleport.Options.OteleportOptions"/> with it.
/// </summary>
internal static class OptionsTree
{
    private static readonly ConcurrentDictionary<Type, Dictionary<string, PropertyInfo>> PropertiesByType = new();

    /// <summary>A type the binder converts from one text value (string, bool, numbers, enums, TimeSpan, Uri, ...).</summary>
    public static bool IsScalar(Type type) =>
        type.IsPrimitive
        || type.IsEnum
        || type == typeof(string)
        || type == typeof(decimal)
        || (!type.IsAssignableTo(typeof(System.Collections.IEnumerable))
            && TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string)));

    public static bool IsNumber(Type type) =>
        Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.Decimal && !type.IsEnum;

    /// <summary>The value type of a dictionary keyed by strings, else null.</summary>
    public static Type? DictionaryValueType(Type type) =>
        FindGenericInterface(type, typeof(IDictionary<,>)) is { } dictionary
        && dictionary.GetGenericArguments()[0] == typeof(string)
            ? dictionary.GetGenericArguments()[1]
            : null;

    /// <summary>The element type of an array or list, else null.</summary>
    public static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType() : FindGenericInterface(type, typeof(IEnumerable<>))?.GetGenericArguments()[0];

    /// <summary>The bindable properties of an object type, keyed by <see cref="WithoutUnderscores"/> of their names.</summary>
    public static Dictionary<string, PropertyInfo> PropertiesIgnoringUnderscores(Type type) =>
        PropertiesByType.GetOrAdd(type, static t => t
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is not null)
            .ToDictionary(p => WithoutUnderscores(p.Name)));

    /// <summary>The property the binder fills from a configuration key: the same name, ignoring case (no other spelling).</summary>
    public static PropertyInfo? PropertyNamed(Type type, string key) =>
        PropertiesIgnoringUnderscores(type).Values.FirstOrDefault(p => p.Name.Equals(key, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names of an object type's bindable properties, in declaration order.</summary>
    public static IEnumerable<string> PropertyNames(Type type) => PropertiesIgnoringUnderscores(type).Values.Select(p => p.Name);

    // "cursor_encryption_key" and "CursorEncryptionKey" both become "CURSORENCRYPTIONKEY".
    public static string WithoutUnderscores(string name) => name.Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();

    private static Type? FindGenericInterface(Type type, Type definition) =>
        type.IsInterface && type.IsGenericType && type.GetGenericTypeDefinition() == definition
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition);
}
