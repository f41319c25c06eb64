using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources;

/// <summary>The cluster-wide list of data source names, for listings and start-up. One instance, keyed <see cref="Global"/>.</summary>
[Alias("mcp.datasource-catalog")]
public interface IDataSourceCatalogGrain : IGrainWithStringKey
{
    public const string Global = "global";

    [Alias("add")]
    Task AddAsync(string name);

    [Alias("remove")]
    Task RemoveAsync(string name);

    [ReadOnly, AlwaysInterleave, Alias("names")]
    Task<IReadOnlyList<string>> GetNamesAsync();
}
