using Oteleport.Hosting.AspNetCore.Configuration;

namespace Oteleport.Hosting.AspNetCore.Tests.Configuration;

public sealed class EnvironmentSubstitutionTests
{
    private static readonly Dictionary<string, string> Variables = new()
    {
        ["A"] = "alpha",
        ["B_2"] = "beta",
        ["EMPTY"] = "",
    };

    private static string Expand(string text) =>
        EnvironmentSubstitution.Expand(text, name => Variables.GetValueOrDefault(name), out _);

    [TestCase("plain", "plain")]
    [TestCase("${A}", "alpha")]
    [TestCase("x-${A}-${B_2}-y", "x-alpha-beta-y")]
    [TestCase("${A}${A}", "alphaalpha")]
    [TestCase("${EMPTY}", "")]
    [TestCase("${MISSING:-fallback}", "fallback")]
    [TestCase("${EMPTY:-fallback}", "fallback")]
    [TestCase("${A:-fallback}", "alpha")]
    [TestCase("${MISSING:-a:-b}", "a:-b")]
    [TestCase("$${A}", "${A}")]
    [TestCase("$$${A}", "$${A}")] // a lone "$", then the escape
    [TestCase("cost: $5, $$", "cost: $5, $$")]
    [TestCase("$", "$")]
    public void Expands(string text, string expected)
    {
        Expand(text).Should().Be(expected);
    }

    [Test]
    public void Reports_whether_anything_was_substituted()
    {
        EnvironmentSubstitution.Expand("$${A}", _ => "x", out bool escaped);
        EnvironmentSubstitution.Expand("${A}", _ => "x", out bool substituted);

        escaped.Should().BeFalse();
        substituted.Should().BeTrue();
    }

    [TestCase("${MISSING}", "environment variable MISSING is not set")]
    [TestCase("${A", "'${' has no closing '}'*")]
    [TestCase("${}", "'${}' is not a valid environment variable reference")]
    [TestCase("${ A }", "'${ A }' is not a valid environment variable reference")]
    [TestCase("${1A}", "'${1A}' is not a valid environment variable reference")]
    public void Rejects(string text, string message)
    {
        var act = () => Expand(text);

        act.Should().Throw<FormatException>().WithMessage(message);
    }
}
