using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Models;

/// <summary>
/// The name of an alias a caller sets (e.g. <c>production</c>): 1-32 lowercase letters, digits, '_' or '-', starting
/// with a letter and not looking like a version (<c>v1…</c>, <c>1…</c>), or <c>name@1.2</c> would be ambiguous.
/// Made only by <see cref="TryParse"/>. (<see cref="ModelAlias"/> is an alias with its target, as listed.)
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelAliasName")]
public readonly partial record struct ModelAliasName
{
    private ModelAliasName(string value) => Value = value;

    [Id(0)] public string Value { get; }

    /// <param name="error">The 400 detail for field <c>alias</c> when the text is not an alias.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out ModelAliasName alias, [NotNullWhen(false)] out string? error)
    {
        alias = default;
        if (text is null || !Pattern().IsMatch(text) || VersionLike().IsMatch(text))
        {
            error = "An alias is 1-32 lowercase letters, digits, '_' or '-', starting with a letter (so it cannot be mistaken for a version).";
            return false;
        }
        alias = new ModelAliasName(text);
        error = null;
        return true;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out ModelAliasName alias) => TryParse(text, out alias, out _);

    /// <summary>For aliases the code itself spells (tests); a wrong one is a bug, so it throws.</summary>
    public static ModelAliasName Parse(string text) =>
        TryParse(text, out var alias, out var error) ? alias : throw new FormatException(error);

    public override string ToString() => Value ?? "";

    public static implicit operator string(ModelAliasName alias) => alias.ToString();

    [GeneratedRegex(@"^[a-z][a-z0-9_-]{0,31}$")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[vV]?\d")]
    private static partial Regex VersionLike();
}
