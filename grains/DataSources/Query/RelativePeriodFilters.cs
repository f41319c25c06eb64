using System.Globalization;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Turns an equality with a period on a date or datetime field (<c>{"posted_date": "last_6m"}</c>, as the user guide
/// writes it) into the range it means: for <c>last_…</c> from the start of the period up to now; for a calendar period
/// (<c>today</c>, <c>this_month</c>, see <see cref="CalendarPeriod"/>) its whole UTC days, the end excluded for
/// datetimes. Every other filter passes unchanged.
/// It runs in the data source grain, which knows the column types and has the clock, before the query is compiled,
/// so the compiler, the cache key and the audit only ever see ordinary filters. Datetime bounds are whole minutes
/// (the start rounded down, now rounded up), so the same request within a minute hits the same cache entry.
/// </summary>
public static class RelativePeriodFilters
{
    public static (IReadOnlyList<DataFilter> Filters, int Added, QueryProblem? Problem) Expand(
        IReadOnlyList<DataFilter> filters, TableSchema table, DateTimeOffset now)
    {
        List<DataFilter>? expanded = null;
        for (var i = 0; i < filters.Count; i++)
        {
            var filter = filters[i];
            if (filter.Operator != FilterOperator.Eq
                || table.FindColumn(filter.Field) is not { Type: DataType.Date or DataType.Datetime } column
                || PeriodText(filter.ValueJson) is not { } text)
            {
                expanded?.Add(filter);
                continue;
            }
            if (CalendarPeriod.TryRange(text, now, out var first, out var next))
            {
                expanded ??= [.. filters.Take(i)];
                if (column.Type == DataType.Date)
                {
                    expanded.Add(filter with { Operator = FilterOperator.Gte, ValueJson = Quote(Day(first)) });
                    expanded.Add(filter with { Operator = FilterOperator.Lte, ValueJson = Quote(Day(next.AddDays(-1))) });
                }
                else
                {
                    expanded.Add(filter with { Operator = FilterOperator.Gte, ValueJson = Quote(Midnight(first)) });
                    expanded.Add(filter with { Operator = FilterOperator.Lt, ValueJson = Quote(Midnight(next)) });
                }
                continue;
            }
            if (!RelativePeriod.TryParse(text, out var period))
            {
                return (filters, 0, new QueryProblem($"filters.{filter.Field}",
                    $"'{text}' is not a period: write last_<n><unit> with unit d, w, m or y (last_30d, last_6m, last_1y), at most {RelativePeriod.MaxYears} years, or one of {string.Join(", ", CalendarPeriod.Names)}."));
            }
            expanded ??= [.. filters.Take(i)];
            var (from, to) = column.Type == DataType.Date ? Days(period, now) : Minutes(period, now);
            expanded.Add(filter with { Operator = FilterOperator.Gte, ValueJson = from });
            expanded.Add(filter with { Operator = FilterOperator.Lte, ValueJson = to });
        }
        return expanded is null ? (filters, 0, null) : (expanded, expanded.Count - filters.Count, null);
    }

    /// <summary>The filter's value when it is a string that starts like a period or names one; anything else is an ordinary value.</summary>
    private static string? PeriodText(string valueJson)
    {
        if (!valueJson.StartsWith("\"" + RelativePeriod.Prefix, StringComparison.Ordinal)
            && !CalendarPeriod.Names.Any(name => valueJson == "\"" + name + "\""))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(valueJson);
            return document.RootElement.GetString();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string From, string To) Days(RelativePeriod period, DateTimeOffset now) =>
        (Quote(DateOnly.FromDateTime(period.StartBefore(now).UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
         Quote(DateOnly.FromDateTime(now.UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)));

    private static (string From, string To) Minutes(RelativePeriod period, DateTimeOffset now)
    {
        var minute = TimeSpan.TicksPerMinute;
        var start = period.StartBefore(now).UtcTicks;
        var end = now.UtcTicks;
        var from = new DateTimeOffset(start - start % minute, TimeSpan.Zero);
        var to = new DateTimeOffset(end % minute == 0 ? end : end - end % minute + minute, TimeSpan.Zero);
        return (Quote(from.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)),
                Quote(to.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Midnight(DateOnly day) => Day(day) + "T00:00:00Z";

    private static string Quote(string text) => JsonSerializer.Serialize(text);
}
