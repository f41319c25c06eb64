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

    /// <summary>
    /// Indexes a model (<see cref="ModelCommandOutcome.Invalid"/> when its name or version does not parse as a
    /// <see cref="ModelName"/> and <see cref="ModelVersion"/>). A name belongs to the owner of its first version: <see cref="ModelCommandOutcome.Forbidden"/>
    /// when the caller is neither that owner nor an admin, <see cref="ModelCommandOutcome.Conflict"/> when the
    /// name@version is taken by another model.
    /// </summary>
    [Alias("add")]
    Task<ModelCommandOutcome> AddAsync(ModelCatalogEntry entry, ModelCaller caller);

    [Alias("remove")]
    Task RemoveAsync(string modelId);

    [Alias("set-status")]
    Task SetStatusAsync(string modelId, ModelStatus status);

    /// <summary>Records the backend attached to a model registered without one.</summary>
    [Alias("set-provider")]
    Task SetProviderAsync(string modelId, string provider);

    [ReadOnly, AlwaysInterleave, Alias("list")]
    Task<ModelCatalogPage> ListAsync(ModelQuery query);

    /// <summary>Resolves <c>name</c> plus a version or alias (<c>latest</c> is the highest version) to a model id.</summary>
    [ReadOnly, AlwaysInterleave, Alias("resolve")]
    Task<string?> ResolveAsync(ModelName name, ModelSelector versionOrAlias);

    /// <summary>
    /// Points an alias at a version of the name (that version itself, never what an alias spelled like it points at):
    /// <see cref="ModelCommandOutcome.NotFound"/> when the name has no such version, then
    /// <see cref="ModelCommandOutcome.Forbidden"/> unless the caller owns the name or is an admin. Publishes a model
    /// change, so gateways drop what they resolved for the name.
    /// </summary>
    [Alias("set-alias")]
    Task<ModelAliasResult> SetAliasAsync(ModelName name, ModelAliasName alias, ModelVersion version, ModelCaller caller);

    /// <summary>
    /// Removes a stored alias: <see cref="ModelCommandOutcome.NotFound"/> for an alias the name does not have, then
    /// <see cref="ModelCommandOutcome.Forbidden"/> unless the caller owns the name or is an admin, and
    /// <see cref="ModelCommandOutcome.Invalid"/> for the automatic <c>latest</c> (listed, never stored).
    /// </summary>
    [Alias("remove-alias")]
    Task<ModelCommandOutcome> RemoveAliasAsync(ModelName name, ModelAliasName alias, ModelCaller caller);

    /// <summary>The owner of a name (the owner of its first version), or null when no version carries it.</summary>
    [ReadOnly, AlwaysInterleave, Alias("name-owner")]
    Task<string?> GetNameOwnerAsync(ModelName name);

    [ReadOnly, AlwaysInterleave, Alias("aliases")]
    Task<IReadOnlyList<ModelAlias>> GetAliasesAsync(ModelName name);

    [ReadOnly, AlwaysInterleave, Alias("all-ids")]
    Task<IReadOnlyList<string>> GetAllModelIdsAsync();
}
