using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Models;

/// <summary>
/// A version of a model name: 1-50 letters, digits, '.', '_', '+' or '-', starting with a letter or digit, and never
/// <c>latest</c> (which selects the highest version). Made only by <see cref="TryParse"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelVersion")]
public readonly partial record struct ModelVersion
{
    /// <summary>The version a registration without one gets.</summary>
    public static readonly ModelVersion Default = new("1.0.0");

    private ModelVersion(string value) => Value = value;

    [Id(0)] public string Value { get; }

    /// <param name="error">The 400 detail for field <c>version</c> when the text is not a version.</param>
    public static bool TryParse([NotNullWhen(true)] string? text, out ModelVersion version, [NotNullWhen(false)] out string? error)
    {
        version = default;
        if (text is null || !ModelSelector.IsSelectorSyntax(text) || text == ModelSelector.LatestText)
        {
            error = "Field 'version' must be 1-50 letters, digits, '.', '_', '+' or '-' (and not 'latest').";
            return false;
        }
        version = new ModelVersion(text);
        error = null;
        return true;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out ModelVersion version) => TryParse(text, out version, out _);

    /// <summary>For versions the code itself spells (seeded models, tests); a wrong one is a bug, so it throws.</summary>
    public static ModelVersion Parse(string text) =>
        TryParse(text, out var version, out var error) ? version : throw new FormatException(error);

    public override string ToString() => Value ?? "";

    public static implicit operator string(ModelVersion version) => version.ToString();
}
