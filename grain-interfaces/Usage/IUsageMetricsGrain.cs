using Orleans.Concurrency;

namespace Mcp.Cluster.Usage;

/// <summary>Durable usage aggregates of one <see cref="UsageScope"/> (its string form is the grain key).</summary>
public interface IUsageMetricsGrain : IGrainWithStringKey
{
    [ReadOnly]
    Task<UsageTotals> GetAsync();
}
