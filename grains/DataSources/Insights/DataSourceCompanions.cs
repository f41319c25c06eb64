using Mcp.Cluster.DataSources.QueryTests;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>The grains that keep something per source besides the source's own: a deleted source takes theirs with it.</summary>
public static class DataSourceCompanions
{
    /// <summary>
    /// Clears the source's query insights and tests. A failure does not fail the delete (the source is gone already, and
    /// both answer 404 for a source that does not exist); it is logged, since a source registered again under the
    /// name would find them.
    /// </summary>
    public static async Task ForgetAsync(IGrainFactory grains, string source, ILogger logger)
    {
        try
        {
            await Task.WhenAll(grains.GetGrain<IDataQueryInsightsGrain>(source).ClearAsync(), grains.GetGrain<IDataQueryTestsGrain>(source).ClearAsync());
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The query insights and tests of deleted data source {Source} could not be cleared", source);
        }
    }
}
