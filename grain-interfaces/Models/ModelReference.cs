using System.Diagnostics.CodeAnalysis;

namespace Mcp.Cluster.Models;

/// <summary>
/// How a caller names a model: its id (<c>mod_…</c>, used as is), <c>name@version</c>, <c>name@alias</c>, or a bare
/// <c>name</c> (its <c>latest</c>). Text that is none of these names no model (the gateway answers 404, as for an
/// unknown one), so only parsed names and selectors reach the catalog.
/// </summary>
public readonly record struct ModelReference
{
    private ModelReference(string? modelId, ModelName name, ModelSelector selector)
    {
        ModelId = modelId;
        Name = name;
        Selector = selector;
    }

    /// <summary>Set when the reference is an id; then <see cref="Name"/> and <see cref="Selector"/> are default.</summary>
    public string? ModelId { get; }

    public ModelName Name { get; }

    public ModelSelector Selector { get; }

    [MemberNotNullWhen(true, nameof(ModelId))]
    public bool IsId => ModelId is not null;

    /// <summary>One version or alias of a parsed name (<see cref="ModelSelector.Latest"/> for what a bare name means).</summary>
    public static ModelReference Of(ModelName name, ModelSelector selector) => new(null, name, selector);

    public static bool TryParse([NotNullWhen(true)] string? text, out ModelReference reference)
    {
        reference = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }
        if (text.StartsWith(ModelName.IdPrefix, StringComparison.Ordinal))
        {
            reference = new ModelReference(text, default, default);
            return true;
        }
        var at = text.IndexOf('@');
        var (nameText, selectorText) = at < 0 ? (text, ModelSelector.LatestText) : (text[..at], text[(at + 1)..]);
        if (!ModelName.TryParse(nameText, out var name) || !ModelSelector.TryParse(selectorText, out var selector))
        {
            return false;
        }
        reference = new ModelReference(null, name, selector);
        return true;
    }

    public override string ToString() => ModelId ?? $"{Name}@{Selector}";
}
