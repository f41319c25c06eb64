using Mcp.Cluster.Storage;

namespace Mcp.Cluster.Catalogs;

[GrainType("namecatalog")]
public sealed class NameCatalogGrain(
    [PersistentState("name-catalog", StorageNames.Default)] IPersistentState<NameCatalogState> catalog)
    : Grain, INameCatalogGrain
{
    public async Task AddAsync(string name)
    {
        if (catalog.State.Names.Add(name))
        {
            await catalog.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string name)
    {
        if (catalog.State.Names.Remove(name))
        {
            await catalog.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> GetNamesAsync() =>
        Task.FromResult<IReadOnlyList<string>>(catalog.State.Names.Order(StringComparer.Ordinal).ToArray());
}
