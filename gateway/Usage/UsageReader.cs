using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Gateway.Usage;

/// <summary>Reads the usage grains of a scope over a range of UTC days (one grain per day, asked in parallel) and merges them.</summary>
public sealed class UsageReader(IGrainFactory grains, TimeProvider time)
{
    public const int MaxDays = 90;

    public DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public DateTimeOffset Now => time.GetUtcNow();

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

    /// <summary>
    /// The minutes of a scope from <paramref name="fromMinute"/> to <paramref name="now"/>: from the grains of the UTC
    /// days they fall in (at most two, as the timeline keeps 24 hours), asked in parallel.
    /// </summary>
    public async Task<UsageTimeline> ReadTimelineAsync(UsageScopeKind kind, string id, long fromMinute, DateTimeOffset now)
    {
        var from = Math.Max(fromMinute, UsageTimeline.OldestRetained(UsageTimeline.MinuteOf(now)));
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstDay = DateOnly.FromDateTime(UsageTimeline.StartOf(from).UtcDateTime);
        var reads = Enumerable.Range(0, Math.Clamp(today.DayNumber - firstDay.DayNumber + 1, 1, 2))
            .Select(back => grains.GetGrain<IUsageMetricsGrain>(new UsageScope(kind, today.AddDays(-back), id).ToString()).GetTimelineAsync(from));
        var merged = new UsageTimeline();
        foreach (var day in await Task.WhenAll(reads))
        {
            merged.Merge(day);
        }
        return merged;
    }
}
