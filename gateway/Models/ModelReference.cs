using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// Resolves the <c>{model}</c> route value: a model id (<c>mod_…</c>) is used as is; <c>name@version</c>,
/// <c>name@alias</c> and a bare <c>name</c> (its <c>latest</c>) are looked up in the catalog.
/// </summary>
public static class ModelReference
{
    public static async ValueTask<string?> ResolveAsync(IGrainFactory grains, string reference)
    {
        if (reference.StartsWith("mod_", StringComparison.Ordinal))
        {
            return reference;
        }
        var at = reference.IndexOf('@');
        var (name, selector) = at < 0 ? (reference, "latest") : (reference[..at], reference[(at + 1)..]);
        if (name.Length == 0 || selector.Length == 0)
        {
            return null;
        }
        return await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).ResolveAsync(name, selector);
    }
}
