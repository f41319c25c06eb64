using Orleans.Concurrency;

namespace Mcp.Cluster.Usage;

/// <summary>Durable usage aggregates of one <see cref="UsageScope"/> (its string form is the grain key).</summary>
[Alias("mcp.usage")]
public interface IUsageMetricsGrain : IGrainWithStringKey
{
    /// <summary>The day's totals, without their minutes (<see cref="GetTimelineAsync"/> reads those).</summary>
    [ReadOnly, Alias("get")]
    Task<UsageTotals> GetAsync();

    /// <summary>The day's minutes from <paramref name="fromMinute"/> (see <see cref="UsageTimeline.MinuteOf"/>) on, none older than 24 hours.</summary>
    [ReadOnly, Alias("timeline")]
    Task<UsageTimeline> GetTimelineAsync(long fromMinute);
}
