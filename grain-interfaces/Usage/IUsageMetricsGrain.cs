using Orleans.Concurrency;

namespace Mcp.Cluster.Usage;

/// <summary>Durable usage aggregates of one <see cref="UsageScope"/> (its string form is the grain key).</summary>
[Alias("mcp.usage")]
public interface IUsageMetricsGrain : IGrainWithStringKey
{
    [ReadOnly, Alias("get")]
    Task<UsageTotals> GetAsync();
}
