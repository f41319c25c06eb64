namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// The calendar periods a date or datetime equality may name: <c>today</c>, <c>yesterday</c>, <c>this_week</c> (the ISO
/// week, from Monday), <c>this_month</c>, <c>this_year</c>. Boundaries are UTC calendar days; the whole period counts,
/// so the same request gives the same range (and hits the same cache entry) all period long.
/// </summary>
public static class CalendarPeriod
{
    public static readonly IReadOnlyList<string> Names = ["today", "yesterday", "this_week", "this_month", "this_year"];

    /// <summary>The period's first day and the first day after it, at <paramref name="now"/>.</summary>
    public static bool TryRange(string text, DateTimeOffset now, out DateOnly first, out DateOnly next)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        (first, next) = text switch
        {
            "today" => (today, today.AddDays(1)),
            "yesterday" => (today.AddDays(-1), today),
            "this_week" => Week(today),
            "this_month" => (new DateOnly(today.Year, today.Month, 1), new DateOnly(today.Year, today.Month, 1).AddMonths(1)),
            "this_year" => (new DateOnly(today.Year, 1, 1), new DateOnly(today.Year + 1, 1, 1)),
            _ => (default, default),
        };
        return first != default;
    }

    private static (DateOnly, DateOnly) Week(DateOnly today)
    {
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        return (monday, monday.AddDays(7));
    }
}
