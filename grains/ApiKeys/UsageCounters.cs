namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// A key's rate window and quota counters. Kept in the key's persisted state so a graceful restart or migration
/// neither resets the rate window nor forgets quota use.
/// </summary>
[GenerateSerializer, Alias("mcp.UsageCounters")]
public sealed class UsageCounters
{
    [Id(0)] public DateTimeOffset WindowStart { get; set; }
    [Id(1)] public int WindowCount { get; set; }
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public long DayCount { get; set; }
    [Id(4)] public string Month { get; set; } = "";
    [Id(5)] public long MonthCount { get; set; }
    [Id(6)] public long Total { get; set; }
    [Id(7)] public long Rejected { get; set; }
    [Id(8)] public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Starts new windows whose period has passed. Fixed windows: the rate window opens at the first request after the previous one ended.</summary>
    public void Roll(DateTimeOffset now, TimeSpan rateWindow)
    {
        if (now >= WindowStart + rateWindow || now < WindowStart)
        {
            WindowStart = now;
            WindowCount = 0;
        }
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (day != Day)
        {
            Day = day;
            DayCount = 0;
        }
        var month = MonthOf(now);
        if (month != Month)
        {
            Month = month;
            MonthCount = 0;
        }
    }

    public static string MonthOf(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public static DateTimeOffset NextDay(DateTimeOffset now) => new(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);

    public static DateTimeOffset NextMonth(DateTimeOffset now)
    {
        var utc = now.UtcDateTime;
        return new DateTimeOffset(new DateTime(utc.Year, utc.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1));
    }
}
