using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class UsageCountersTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 23, 59, 30, TimeSpan.Zero);

    [Fact]
    public void The_rate_window_opens_at_the_first_request_and_resets_after_its_length()
    {
        var counters = new UsageCounters();
        counters.Roll(Start, TimeSpan.FromMinutes(1));
        counters.WindowCount = 5;
        counters.Roll(Start.AddSeconds(59), TimeSpan.FromMinutes(1));
        Assert.Equal(5, counters.WindowCount);
        counters.Roll(Start.AddSeconds(60), TimeSpan.FromMinutes(1));
        Assert.Equal(0, counters.WindowCount);
        Assert.Equal(Start.AddSeconds(60), counters.WindowStart);
    }

    [Fact]
    public void Day_and_month_counters_reset_at_utc_boundaries()
    {
        var counters = new UsageCounters();
        counters.Roll(Start, TimeSpan.FromMinutes(1));
        counters.DayCount = 10;
        counters.MonthCount = 100;
        counters.Total = 1000;

        counters.Roll(Start.AddSeconds(29), TimeSpan.FromMinutes(1));
        Assert.Equal(10, counters.DayCount);
        Assert.Equal("2026-01", counters.Month);

        counters.Roll(Start.AddSeconds(31), TimeSpan.FromMinutes(1));
        Assert.Equal(0, counters.DayCount);
        Assert.Equal(0, counters.MonthCount);
        Assert.Equal("2026-02", counters.Month);
        Assert.Equal(new DateOnly(2026, 2, 1), counters.Day);
        Assert.Equal(1000, counters.Total);

        counters.DayCount = 3;
        counters.MonthCount = 3;
        counters.Roll(new DateTimeOffset(2026, 2, 2, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1));
        Assert.Equal(0, counters.DayCount);
        Assert.Equal(3, counters.MonthCount);
    }

    [Fact]
    public void Next_day_and_month_are_utc_midnights()
    {
        var local = new DateTimeOffset(2026, 12, 31, 20, 0, 0, TimeSpan.FromHours(-5));
        Assert.Equal(new DateTimeOffset(2027, 1, 2, 0, 0, 0, TimeSpan.Zero), UsageCounters.NextDay(local));
        Assert.Equal(new DateTimeOffset(2027, 2, 1, 0, 0, 0, TimeSpan.Zero), UsageCounters.NextMonth(local));
    }
}
