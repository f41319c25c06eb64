using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// Resolves how a request names a model (<see cref="ModelReference"/>: an id, <c>name@version</c>, <c>name@alias</c>
/// or a bare name) to a model id: an id as is, a name through <see cref="ModelNameCache"/> and, on a miss, the
/// catalog grain. Null when no model is named so (text that is not a reference at all included).
/// </summary>
public sealed class ModelResolver(IGrainFactory grains, ModelNameCache cache)
{
    public ValueTask<string?> ResolveAsync(string? reference) =>
        ModelReference.TryParse(reference, out var parsed) ? ResolveAsync(parsed) : ValueTask.FromResult<string?>(null);

    public async ValueTask<string?> ResolveAsync(ModelReference reference)
    {
        if (reference.IsId)
        {
            return reference.ModelId;
        }
        if (cache.TryGet(reference.Name, reference.Selector, out var cached))
        {
            return cached;
        }
        var generation = cache.Generation;
        var modelId = await grains.GetGrain<IModelCatalogGrain>(IModelCatalogGrain.Global).ResolveAsync(reference.Name, reference.Selector);
        if (modelId is not null)
        {
            cache.Store(reference.Name, reference.Selector, modelId, generation);
        }
        return modelId;
    }

    /// <summary>The latest version of a name (an MCP tool <c>model.{name}</c>).</summary>
    public ValueTask<string?> ResolveLatestAsync(string name) =>
        ModelName.TryParse(name, out var parsed)
            ? ResolveAsync(ModelReference.Of(parsed, ModelSelector.Latest))
            : ValueTask.FromResult<string?>(null);
}
