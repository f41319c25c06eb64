using Orleans.Concurrency;

namespace Mcp.Cluster.Models;

/// <summary>
/// The cluster-wide index of models: name@version uniqueness, aliases and listing. Predictions by model id never
/// touch it; only <c>name@alias</c> references are resolved here. One instance, keyed <see cref="Global"/>.
/// </summary>
[Alias("mcp.model-catalog")]
public interface IModelCatalogGrain : IGrainWithStringKey
{
    public const string Global = "global";

    /// <summary>Indexes a model; false when its name@version is taken by another model.</summary>
    [Alias("add")]
    Task<bool> AddAsync(ModelCatalogEntry entry);

    [Alias("remove")]
    Task RemoveAsync(string modelId);

    [Alias("set-status")]
    Task SetStatusAsync(string modelId, ModelStatus status);

    [ReadOnly, AlwaysInterleave, Alias("list")]
    Task<ModelCatalogPage> ListAsync(ModelQuery query);

    /// <summary>Resolves <c>name</c> plus a version or alias (<c>latest</c> is the highest version) to a model id.</summary>
    [ReadOnly, AlwaysInterleave, Alias("resolve")]
    Task<string?> ResolveAsync(string name, string versionOrAlias);

    [Alias("set-alias")]
    Task<bool> SetAliasAsync(string name, string alias, string modelId);

    [Alias("remove-alias")]
    Task<bool> RemoveAliasAsync(string name, string alias);

    [ReadOnly, AlwaysInterleave, Alias("aliases")]
    Task<IReadOnlyList<ModelAlias>> GetAliasesAsync(string name);

    [ReadOnly, AlwaysInterleave, Alias("all-ids")]
    Task<IReadOnlyList<string>> GetAllModelIdsAsync();
}
