using System.Text;

namespace Oteleport.Hosting.AspNetCore.Configuration;

/// <summary>
/// Expands <c>${NAME}</c> references in config file strings: the JSON stand-in for the Go
/// server's Jsonnet <c>must_env('NAME')</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>${NAME}</c>: the variable's value; unset is an error (an empty value is fine, as must_env).</item>
/// <item><c>${NAME:-default}</c>: the default when the variable is unset or empty, as in a shell.</item>
/// <item><c>$${</c>: a literal <c>${</c>, so <c>$${NAME}</c> stays <c>${NAME}</c>.</item>
/// </list>
/// A <c>$</c> not followed by <c>{</c> is left alone, so values such as passwords rarely need escaping.
/// </remarks>
internal static class EnvironmentSubstitution
{
    private const string DefaultSeparator = ":-";

    /// <summary>Expands the references in <paramref name="text"/>.</summary>
    /// <param name="text">A string value from the file.</param>
    /// <param name="lookup">Returns a variable's value, or null when it is not set.</param>
    /// <param name="substituted">Whether the text held at least one reference.</param>
    /// <exception cref="FormatException">A variable is missing or a reference is malformed.</exception>
    public static string Expand(string text, Func<string, string?> lookup, out bool substituted)
    {
        substituted = false;
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var result = new StringBuilder(text.Length);
        int i = 0;
        while (i < text.Length)
        {
            if (string.CompareOrdinal(text, i, "$${", 0, 3) == 0)
            {
                result.Append("${");
                i += 3;
                continue;
            }

            if (string.CompareOrdinal(text, i, "${", 0, 2) != 0)
            {
                result.Append(text[i]);
                i++;
                continue;
            }

            int close = text.IndexOf('}', i + 2);
            if (close < 0)
            {
                throw new FormatException("'${' has no closing '}' (write '$${' for a literal '${')");
            }

            result.Append(Resolve(text[(i + 2)..close], lookup));
            substituted = true;
            i = close + 1;
        }

        return result.ToString();
    }

    private static string Resolve(string reference, Func<string, string?> lookup)
    {
        int separator = reference.IndexOf(DefaultSeparator, StringComparison.Ordinal);
        string name = separator < 0 ? reference : reference[..separator];
        if (!IsVariableName(name))
        {
            throw new FormatException($"'${{{reference}}}' is not a valid environment variable reference");
        }

        string? value = lookup(name);
        if (separator >= 0)
        {
            return string.IsNullOrEmpty(value) ? reference[(separator + DefaultSeparator.Length)..] : value;
        }

        return value ?? throw new FormatException($"environment variable {name} is not set");
    }

    // Letters, digits and underscores, not starting with a digit: catches typos such as "${ NAME }".
    private static bool IsVariableName(string name) =>
        name.Length > 0
        && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
