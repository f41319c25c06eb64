namespace Mcp.Cluster.Usage;

/// <summary>
/// A scope's usage per UTC minute, for live charts. Minutes are numbered from the Unix epoch, so they align with
/// hours and days; a minute without requests is not stored. Only the last <see cref="RetainedMinutes"/> are kept:
/// <see cref="Prune"/> drops older ones. A day's usage grain holds at most that day's minutes, so the last 24 hours
/// of a scope are in at most two grains.
/// </summary>
[GenerateSerializer, Alias("mcp.UsageTimeline")]
public sealed class UsageTimeline
{
    public const int RetainedMinutes = 1440;

    [Id(0)] public Dictionary<long, UsageMinute> Minutes { get; set; } = [];

    public static long MinuteOf(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMinute;

    public static DateTimeOffset StartOf(long minute) => DateTimeOffset.UnixEpoch.AddMinutes(minute);

    /// <summary>The oldest minute kept when it is <paramref name="now"/>: the current minute and the 1,439 before it.</summary>
    public static long OldestRetained(long now) => now - RetainedMinutes + 1;

    public void Add(UsageEvent e)
    {
        var minute = MinuteOf(e.At);
        if (!Minutes.TryGetValue(minute, out var counts))
        {
            Minutes[minute] = counts = new UsageMinute();
        }
        counts.Add(e);
    }

    /// <summary>Drops the minutes older than 24 hours at <paramref name="now"/>; how many it dropped.</summary>
    public int Prune(long now)
    {
        var oldest = OldestRetained(now);
        var dropped = 0;
        foreach (var minute in Minutes.Keys)
        {
            if (minute < oldest)
            {
                Minutes.Remove(minute);
                dropped++;
            }
        }
        return dropped;
    }

    /// <summary>A copy of the minutes from <paramref name="from"/> on.</summary>
    public UsageTimeline Since(long from)
    {
        var copy = new UsageTimeline();
        foreach (var (minute, counts) in Minutes)
        {
            if (minute >= from)
            {
                copy.Minutes[minute] = counts.Copy();
            }
        }
        return copy;
    }

    public void Merge(UsageTimeline other)
    {
        foreach (var (minute, counts) in other.Minutes)
        {
            if (Minutes.TryGetValue(minute, out var mine))
            {
                mine.Merge(counts);
            }
            else
            {
                Minutes[minute] = counts.Copy();
            }
        }
    }

    /// <summary>The minutes <paramref name="from"/> to <paramref name="from"/> + <paramref name="minutes"/> merged into one; null when none had requests.</summary>
    public UsageMinute? Sum(long from, int minutes)
    {
        UsageMinute? sum = null;
        for (var minute = from; minute < from + minutes; minute++)
        {
            if (Minutes.TryGetValue(minute, out var counts))
            {
                (sum ??= new UsageMinute()).Merge(counts);
            }
        }
        return sum;
    }
}
