using Mcp.Cluster.DataSources.QueryTests;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>The grains that keep something per source besides the source's own: a deleted source takes theirs with it.</summary>
public static class DataSourceCompanions
{
    public static Task ForgetAsync(IGrainFactory grains, string source) =>
        Task.WhenAll(grains.GetGrain<IDataQueryInsightsGrain>(source).ClearAsync(), grains.GetGrain<IDataQueryTestsGrain>(source).ClearAsync());
}
