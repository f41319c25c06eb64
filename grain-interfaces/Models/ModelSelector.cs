using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Models;

/// <summary>
/// What follows <c>@</c> in a model reference: a version, an alias or <c>latest</c> (the highest version unless an
/// alias of that name was set). Every version and every alias has this syntax, so anything else selects nothing.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelSelector")]
public readonly partial record struct ModelSelector
{
    public const string LatestText = "latest";

    public static readonly ModelSelector Latest = new(LatestText);

    private ModelSelector(string value) => Value = value;

    [Id(0)] public string Value { get; }

    public bool IsLatest => Value == LatestText;

    public static bool TryParse([NotNullWhen(true)] string? text, out ModelSelector selector)
    {
        selector = text is not null && IsSelectorSyntax(text) ? new ModelSelector(text) : default;
        return selector.Value is not null;
    }

    public static implicit operator ModelSelector(ModelVersion version) => new(version.Value);

    public static implicit operator ModelSelector(ModelAliasName alias) => new(alias.Value);

    public override string ToString() => Value ?? "";

    public static implicit operator string(ModelSelector selector) => selector.ToString();

    internal static bool IsSelectorSyntax(string text) => Pattern().IsMatch(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]{0,49}$")]
    private static partial Regex Pattern();
}
