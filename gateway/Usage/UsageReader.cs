using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>Reads the usage grains of a scope over a range of UTC days (one grain per day, asked in parallel) and merges them.</summary>
public sealed class UsageReader(IGrainFactory grains, TimeProvider time)
{
    public const int MaxDays = 90;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public async Task<UsageTotals> ReadAsync(UsageScopeKind kind, string id, int days)
    {
        var to = Today;
        var reads = Enumerable.Range(0, Math.Clamp(days, 1, MaxDays))
            .Select(back => grains.GetGrain<IUsageMetricsGrain>(new UsageScope(kind, to.AddDays(-back), id).ToString()).GetAsync());
        var merged = new UsageTotals();
        foreach (var day in await Task.WhenAll(reads))
        {
            merged.Merge(day);
        }
        return merged;
    }
}
