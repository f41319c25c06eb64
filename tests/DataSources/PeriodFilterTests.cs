using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Calendar periods (today, yesterday, this_week, this_month, this_year) on date and datetime equalities.</summary>
[Trait("Tier", "Unit")]
public sealed class PeriodFilterTests
{
    private static readonly TableSchema Jobs = new("jobs",
    [
        new ColumnSchema("title", DataType.Text, false, "TEXT"),
        new ColumnSchema("posted", DataType.Datetime, false, "DATETIME"),
        new ColumnSchema("due", DataType.Date, true, "DATE"),
    ], ["jobs"]);

    // A Wednesday, late in the (UTC) day.
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 23, 30, 0, TimeSpan.Zero);

    private static IReadOnlyList<DataFilter> Expand(string field, string period, DateTimeOffset? now = null)
    {
        var (filters, added, problem) = RelativePeriodFilters.Expand([new DataFilter(field, FilterOperator.Eq, $"\"{period}\"")], Jobs, now ?? Now);
        Assert.Null(problem);
        Assert.Equal(1, added);
        return filters;
    }

    [Theory]
    [InlineData("today", "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z")]
    [InlineData("yesterday", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z")]
    [InlineData("this_week", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z")]
    [InlineData("this_month", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    [InlineData("this_year", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z")]
    public void A_datetime_period_is_its_whole_utc_days_the_end_excluded(string period, string from, string to)
    {
        var filters = Expand("posted", period);
        Assert.Equal([new DataFilter("posted", FilterOperator.Gte, $"\"{from}\""), new DataFilter("posted", FilterOperator.Lt, $"\"{to}\"")], filters);
    }

    [Theory]
    [InlineData("today", "2026-12-02", "2026-12-02")]
    [InlineData("yesterday", "2026-12-01", "2026-12-01")]
    [InlineData("this_week", "2026-11-30", "2026-12-06")]
    [InlineData("this_month", "2026-12-01", "2026-12-31")]
    [InlineData("this_year", "2026-01-01", "2026-12-31")]
    public void A_date_period_is_its_first_to_its_last_day(string period, string from, string to)
    {
        var filters = Expand("due", period);
        Assert.Equal([new DataFilter("due", FilterOperator.Gte, $"\"{from}\""), new DataFilter("due", FilterOperator.Lte, $"\"{to}\"")], filters);
    }

    [Fact]
    public void The_iso_week_starts_on_monday_also_when_today_is_sunday_or_monday()
    {
        Assert.Equal("\"2026-11-30\"", Expand("due", "this_week", new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero))[0].ValueJson);
        Assert.Equal("\"2026-12-07\"", Expand("due", "this_week", new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero))[0].ValueJson);
        // The year's first week may start in the last one.
        Assert.Equal("\"2025-12-29\"", Expand("due", "this_week", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))[0].ValueJson);
    }

    [Fact]
    public void The_boundaries_are_utc_whatever_the_offset_of_now()
    {
        // 2026-12-03 01:00 at +05:00 is still 2026-12-02 in UTC.
        var filters = Expand("due", "today", new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.FromHours(5)));
        Assert.Equal("\"2026-12-02\"", filters[0].ValueJson);
    }

    [Fact]
    public void Periods_only_apply_to_dates_and_equality_and_unknown_words_are_refused()
    {
        var text = new DataFilter("title", FilterOperator.Eq, "\"today\"");
        var (filters, added, problem) = RelativePeriodFilters.Expand([text], Jobs, Now);
        Assert.Equal([text], filters);
        Assert.Equal(0, added);
        Assert.Null(problem);

        var notEq = new DataFilter("posted", FilterOperator.Ne, "\"today\"");
        Assert.Equal([notEq], RelativePeriodFilters.Expand([notEq], Jobs, Now).Filters);

        var (_, _, bad) = RelativePeriodFilters.Expand([new DataFilter("posted", FilterOperator.Eq, "\"last_week\"")], Jobs, Now);
        Assert.Contains("today, yesterday, this_week, this_month, this_year", bad!.Detail);
    }
}
