using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// Which table a query reads, among the tables the caller may read (the others never count, so the choice reveals
/// nothing about them). A named table is matched by its name, else by the end of its path, so the user guide's
/// <c>MARKET_ANALYTICS.JOB_TRENDS</c> finds the table a Snowflake source discovered as <c>JOB_TRENDS</c> in schema
/// <c>MARKET_ANALYTICS</c>. A query naming none (the guide's <c>{"source", "query"}</c>) reads the only table the caller
/// may read; with several, the only one that has every field the query names; otherwise it is refused, naming the tables.
/// </summary>
public static class QueryTableChoice
{
    public sealed record Refusal(DataQueryOutcome Outcome, string Detail, string Field);

    public static (TablePolicy? Policy, Refusal? Refusal) Choose(string source, DataQuery query, IReadOnlyList<TableSchema> tables, SourceAccess access)
    {
        var readable = tables.Select(access.ForTable).OfType<TablePolicy>().ToArray();
        if (query.Table is { } named)
        {
            var match = readable.FirstOrDefault(p => string.Equals(p.Table.Name, named, StringComparison.Ordinal));
            if (match is null)
            {
                var byPath = readable.Where(p => TableNames.EndsWithPath(p.Table, named)).ToArray();
                match = byPath.Length == 1 ? byPath[0] : null;
            }
            return match is not null
                ? (match, null)
                : (null, new Refusal(DataQueryOutcome.NotFound,
                    $"Data source '{source}' has no table '{named}' you may read. Tables: {string.Join(", ", readable.Select(p => p.Table.Name))}.", "table"));
        }

        switch (readable.Length)
        {
            case 0:
                return (null, new Refusal(DataQueryOutcome.NotFound, $"Data source '{source}' has no table you may read.", "table"));
            case 1:
                return (readable[0], null);
        }
        var names = string.Join(", ", readable.Select(p => p.Table.Name));
        var fields = Named(query).DistinctBy(f => f.Field).ToArray();
        if (fields.Length == 0)
        {
            return (null, Invalid($"Data source '{source}' has several tables; name one with 'table': {names}.", "table"));
        }
        var candidates = readable.Where(p => fields.All(f => p.IsVisibleField(f.Field))).ToArray();
        if (candidates.Length == 1)
        {
            return (candidates[0], null);
        }
        if (candidates.Length > 1)
        {
            return (null, Invalid(
                $"Every table of '{source}' named here has the fields {string.Join(", ", fields.Select(f => f.Field))}; name one with 'table': {string.Join(", ", candidates.Select(p => p.Table.Name))}.",
                "table"));
        }
        if (fields.FirstOrDefault(f => !readable.Any(p => p.IsVisibleField(f.Field))) is { Field: not null } unknown)
        {
            return (null, Invalid(
                $"No table of '{source}' has a field '{unknown.Field}'. Tables: {string.Join("; ", readable.Select(p => $"{p.Table.Name} ({string.Join(", ", p.VisibleColumns.Select(c => c.Name))})"))}.",
                unknown.Where));
        }
        return (null, Invalid(
            $"No table of '{source}' has all of the fields {string.Join(", ", fields.Select(f => f.Field))}; name one with 'table': {names}.", "table"));
    }

    /// <summary>
    /// Every field a query names, with the request field that names it: fields, filters, order_by (except an
    /// aggregate's name), group_by and the fields of aggregates. A member path (<c>salary_range.max</c>) is named as
    /// it was written; <see cref="TablePolicy.ColumnOf"/> gives the column it reads, which governance decides on.
    /// </summary>
    public static IEnumerable<(string Field, string Where)> Named(DataQuery query)
    {
        var outputs = AggregateNames.Of(query).ToHashSet(StringComparer.Ordinal);
        return (query.Fields ?? []).Select(f => (f, "fields"))
            .Concat(query.Filters.Select(f => (f.Field, "filters")))
            .Concat(query.OrderBy.Where(o => !outputs.Contains(o.Field)).Select(o => (o.Field, "order_by")))
            .Concat((query.GroupBy ?? []).Select(g => (g, "group_by")))
            .Concat((query.Aggregates ?? []).Select((a, i) => (a.Field!, $"aggregates[{i}].field")).Where(a => a.Item1 is not null));
    }

    private static Refusal Invalid(string detail, string field) => new(DataQueryOutcome.Invalid, detail, field);
}
