using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Models;

/// <summary>
/// A model name (the part before <c>@</c>): 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit,
/// never <c>mod_…</c> (that prefix is a model id). Made only by <see cref="TryParse"/>, so a grain or DTO holding one
/// holds a name that passed this rule; the gateway parses once and reports <see cref="TryParse"/>'s error.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelName")]
public readonly partial record struct ModelName
{
    public const string IdPrefix = "mod_";

    private ModelName(string value) => Value = value;

    [Id(0)] public string Value { get; }

    /// <param name="error">The 400 detail for field <c>name</c> when the text is not a name.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out ModelName name, [NotNullWhen(false)] out string? error)
    {
        name = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Required field 'name' is missing";
            return false;
        }
        if (!Pattern().IsMatch(text) || text.StartsWith(IdPrefix, StringComparison.Ordinal))
        {
            error = "Field 'name' must be 1-100 letters, digits, '.', '_' or '-', start with a letter or digit, and not start with 'mod_'.";
            return false;
        }
        name = new ModelName(text);
        error = null;
        return true;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out ModelName name) => TryParse(text, out name, out _);

    /// <summary>For names the code itself spells (seeded models, tests); a wrong one is a bug, so it throws.</summary>
    public static ModelName Parse(string text) =>
        TryParse(text, out var name, out var error) ? name : throw new FormatException(error);

    public override string ToString() => Value ?? "";

    public static implicit operator string(ModelName name) => name.ToString();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Pattern();
}
