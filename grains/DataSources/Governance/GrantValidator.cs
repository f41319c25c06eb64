using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>Checks a grant against the source's schema, so a typo in a field name fails when the grant is set, not at every read.</summary>
public static class GrantValidator
{
    /// <param name="tables">The discovered schema; null when discovery has not succeeded yet (names are then not checked).</param>
    public static QueryProblem? Validate(DataGrant grant, IReadOnlyList<TableSchema>? tables, QueryLimits limits)
    {
        if (grant.AllowSql && grant.Tables is not null)
        {
            return new QueryProblem("sql", "A grant with \"sql\": true must cover every table without field rules, row filters or masks: raw SQL could read around them.");
        }
        foreach (var (name, tableGrant) in grant.Tables ?? new Dictionary<string, TableGrant>())
        {
            var where = $"tables.{name}";
            var table = tables?.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));
            if (tables is not null && table is null)
            {
                return new QueryProblem(where, $"Unknown table '{name}'. Tables: {string.Join(", ", tables.Select(t => t.Name))}.");
            }
            if (table is null)
            {
                continue;
            }
            foreach (var field in (tableGrant.Fields ?? []).Concat(tableGrant.Masks.Keys))
            {
                if (table.FindColumn(field) is null)
                {
                    return new QueryProblem(where, $"Table '{name}' has no field '{field}'.");
                }
            }
            if (tableGrant.RowFilters.Count > 0)
            {
                // Compiling the filters checks every field, operator and value exactly as a read would.
                var (_, problem) = SqlQueryCompiler.Compile(new DataQuery(name, null, tableGrant.RowFilters, [], 1, 0), table, SqlDialect.Postgres, limits);
                if (problem is not null)
                {
                    return new QueryProblem($"{where}.row_filters", problem.Detail);
                }
            }
        }
        return null;
    }
}
