using Orleans.Concurrency;

namespace Mcp.Cluster.Catalogs;

/// <summary>
/// The cluster-wide list of names of one kind of registered thing (data sources, prompts, integrations), for listings
/// and start-up. One instance per kind, keyed by the kind (<see cref="NameCatalogs"/>).
/// </summary>
[Alias("mcp.name-catalog")]
public interface INameCatalogGrain : IGrainWithStringKey
{
    [Alias("add")]
    Task AddAsync(string name);

    [Alias("remove")]
    Task RemoveAsync(string name);

    [ReadOnly, AlwaysInterleave, Alias("names")]
    Task<IReadOnlyList<string>> GetNamesAsync();
}
