using System.Text;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// The advice rules, all here: pure functions of a shape, its counters and its table as discovered (with its indexes
/// when the source reports them). A <c>CREATE INDEX</c> in a detail is text for an operator to consider; nothing here
/// or elsewhere runs it.
/// </summary>
public static class QuerySuggestions
{
    /// <summary>Runs before cache advice is given: fewer say little about a pattern.</summary>
    public const int MinRunsForCacheAdvice = 20;

    public const double AlwaysCachedShare = 0.9;

    public static IReadOnlyList<DataQuerySuggestion> For(DataQueryShape shape, long count, long cacheHits, long cacheLookups, TableSchema? table)
    {
        var advice = new List<DataQuerySuggestion>();
        if (shape.Kind != DataQueryShape.QueryKind)
        {
            // Raw SQL is neither read apart here nor cached: no index or cache advice.
            return advice;
        }
        var indexes = table?.Indexes;
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var filter in shape.Filters)
        {
            if (MemberPath(table, filter.Field) is { } column)
            {
                Add(DataQuerySuggestion.NonSargableFilter, filter.Field,
                    $"The filter on '{filter.Field}' reads a member of the {Describe(column)} field '{column.Name}': an ordinary index on a column cannot serve it, " +
                    "so every row is read and its value taken apart. If this is frequent, an expression index on that member (where the source has them) or a column of its own would help.");
                continue;
            }
            if (NonSargable(filter.Operator) is { } why)
            {
                Add(DataQuerySuggestion.NonSargableFilter, filter.Field,
                    $"The filter '{filter.Field} {Name(filter.Operator)}' {why}, so it is checked row by row. Where it can, narrow the query with an equality or range filter on an indexed field as well.");
                continue;
            }
            if (indexes is not null && !Leads(indexes, filter.Field) && suggested.Add(filter.Field))
            {
                Add(DataQuerySuggestion.MissingIndex, filter.Field,
                    $"No index of '{table!.Name}' starts with '{filter.Field}', so the filter '{filter.Field} {Name(filter.Operator)}' reads the whole table. " +
                    $"An operator could add one: {CreateIndex(table, filter.Field)}");
            }
        }
        foreach (var order in shape.OrderBy)
        {
            if (indexes is not null && MemberPath(table, order.Field) is null && !Leads(indexes, order.Field) && suggested.Add(order.Field))
            {
                Add(DataQuerySuggestion.MissingIndex, order.Field,
                    $"No index of '{table!.Name}' starts with '{order.Field}', so ordering by it sorts every matching row before the first is returned. " +
                    $"An operator could add one: {CreateIndex(table, order.Field)}");
            }
        }
        if (shape.Filters.Count == 0 && !shape.HasAggregates)
        {
            Add(DataQuerySuggestion.UnboundedScan, null,
                "The query has no filter and no aggregate: it reads the table from its start every time, and the more rows the table has the more it reads. Filter it, or aggregate instead of reading rows.");
        }
        else if (shape.LargeOffset && indexes is not null && shape.OrderBy.FirstOrDefault(o => !Leads(indexes, o.Field)) is { } unindexed)
        {
            Add(DataQuerySuggestion.UnboundedScan, unindexed.Field,
                $"Pages at an offset of {QueryShapes.LargeOffset} or more ordered by the unindexed '{unindexed.Field}' sort and skip every row before the page. " +
                "Page by a filter on the last value seen (e.g. gt) on an indexed field instead.");
        }
        if (count >= MinRunsForCacheAdvice && cacheHits >= AlwaysCachedShare * count)
        {
            Add(DataQuerySuggestion.AlwaysCached, null,
                $"{Percent(cacheHits, count)} of {count} runs were answered from the cache: the result rarely changes. It could be precomputed, or the source's cache_ttl_seconds raised.");
        }
        else if (cacheLookups >= MinRunsForCacheAdvice && cacheHits == 0)
        {
            Add(DataQuerySuggestion.NeverCached, null,
                $"None of {cacheLookups} runs with caching on was answered from the cache: the statement differs each time (a moving period such as last_7d or today, " +
                "or values that change per call), so caching it costs memory and saves nothing. A fixed period or a rounder value would let runs share results.");
        }
        return advice;

        void Add(string kind, string? field, string detail) => advice.Add(new DataQuerySuggestion(kind, detail, field));
    }

    /// <summary>True when one of the indexes has <paramref name="field"/> as its leading column (only that one serves a filter on it alone).</summary>
    public static bool Leads(IReadOnlyList<IReadOnlyList<string>> indexes, string field) =>
        indexes.Any(i => i.Count > 0 && string.Equals(i[0], field, StringComparison.Ordinal));

    /// <summary>The object or JSON column a path like <c>salary_range.max</c> reads a member of, or null when the field is a column.</summary>
    private static ColumnSchema? MemberPath(TableSchema? table, string field)
    {
        if (table is null || table.FindColumn(field) is not null)
        {
            return null;
        }
        var dot = field.IndexOf('.');
        return dot > 0 && table.FindColumn(field[..dot]) is { Type: DataType.Object or DataType.Json or DataType.Array } column ? column : null;
    }

    private static string? NonSargable(FilterOperator op) => op switch
    {
        FilterOperator.Contains => "matches text anywhere in the value (a substring), which no ordinary index can look up",
        FilterOperator.Ne => "keeps every value but one, which an index cannot narrow",
        FilterOperator.NotIn => "keeps every value outside a list, which an index cannot narrow",
        _ => null,
    };

    private static string Name(FilterOperator op) => op switch
    {
        FilterOperator.NotIn => "not_in",
        FilterOperator.StartsWith => "starts_with",
        FilterOperator.IsNull => "is_null",
        _ => op.ToString().ToLowerInvariant(),
    };

    private static string Describe(ColumnSchema column) => column.Type.ToString().ToLowerInvariant();

    private static string Percent(long part, long whole) => $"{100.0 * part / whole:0}%";

    /// <summary>Valid for SQLite and PostgreSQL alike: named (SQLite needs a name), each part of the table's path quoted.</summary>
    public static string CreateIndex(TableSchema table, string field)
    {
        var name = new StringBuilder("ix_");
        foreach (var c in $"{table.Name}_{field}".ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }
        var indexName = name.Length > 63 ? name.ToString(0, 63) : name.ToString();
        var path = string.Join(".", (table.Path.Count > 0 ? table.Path : [table.Name]).Select(Quote));
        return $"CREATE INDEX {Quote(indexName)} ON {path} ({Quote(field)});";
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
