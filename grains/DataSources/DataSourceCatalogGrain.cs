using Mcp.Cluster.Storage;

namespace Mcp.Cluster.DataSources;

public sealed class DataSourceCatalogGrain(
    [PersistentState("datasource-catalog", StorageNames.Default)] IPersistentState<DataSourceCatalogState> catalog)
    : Grain, IDataSourceCatalogGrain
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
