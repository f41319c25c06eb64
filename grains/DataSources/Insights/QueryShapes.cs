using System.Security.Cryptography;
using System.Text;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>Turns a read into its <see cref="DataQueryShape"/>: everything about it but its values.</summary>
public static class QueryShapes
{
    /// <summary>An offset from which paging by offset is worth advice (every page reads and skips the rows before it).</summary>
    public const int LargeOffset = 1000;

    /// <summary>
    /// A structured query's shape. <paramref name="table"/> is the table read (the one the source chose when the query
    /// named none). Filters are the caller's, as a sorted set: the same conditions in another order are one shape.
    /// </summary>
    public static DataQueryShape Of(DataQuery query, string? table)
    {
        table ??= query.Table;
        var filters = query.Filters
            .Select(f => new DataShapeFilter(f.Field, f.Operator))
            .Distinct()
            .OrderBy(f => f.Field, StringComparer.Ordinal).ThenBy(f => f.Operator)
            .ToArray();
        var aggregates = query.Aggregates ?? [];
        var groupBy = query.GroupBy ?? [];
        var fieldCount = query.Fields?.Count ?? 0;
        var largeOffset = query.Offset >= LargeOffset;

        var text = new StringBuilder("SELECT ");
        if (aggregates.Count > 0)
        {
            text.AppendJoin(", ", groupBy.Concat(aggregates.Select(a => $"{a.Function.ToString().ToLowerInvariant()}({a.Field ?? "*"})")));
        }
        else
        {
            text.Append(fieldCount == 0 ? "*" : fieldCount == 1 ? "1 field" : $"{fieldCount} fields");
        }
        text.Append(" FROM ").Append(table ?? "(the source's table)");
        if (filters.Length > 0)
        {
            text.Append(" WHERE ").AppendJoin(" AND ", filters.Select(f => $"{f.Field} {Operator(f.Operator)}"));
        }
        if (groupBy.Count > 0)
        {
            text.Append(" GROUP BY ").AppendJoin(", ", groupBy);
        }
        if (query.OrderBy.Count > 0)
        {
            text.Append(" ORDER BY ").AppendJoin(", ", query.OrderBy.Select(o => o.Descending ? $"{o.Field} DESC" : o.Field));
        }
        if (query.Limit is not null)
        {
            text.Append(" LIMIT ?");
        }
        if (largeOffset)
        {
            text.Append(" OFFSET ? (>= ").Append(LargeOffset).Append(')');
        }
        var statement = text.ToString();
        return new DataQueryShape(Id(DataQueryShape.QueryKind, statement), DataQueryShape.QueryKind, table, filters, query.OrderBy,
            query.Limit is not null, largeOffset, aggregates.Count > 0, groupBy.Count > 0, fieldCount, SqlShapeNormalizer.Cap(statement));
    }

    /// <summary>A raw SQL statement's shape: its normalized text (no table, filters or order are read out of it).</summary>
    public static DataQueryShape OfSql(string sql)
    {
        var normalized = SqlShapeNormalizer.Normalize(sql);
        return new DataQueryShape(Id(DataQueryShape.SqlKind, normalized), DataQueryShape.SqlKind, null, [], [], false, false, false, false, 0,
            SqlShapeNormalizer.Cap(normalized));
    }

    private static string Operator(FilterOperator op) => op switch
    {
        FilterOperator.Eq => "= ?",
        FilterOperator.Ne => "<> ?",
        FilterOperator.Lt => "< ?",
        FilterOperator.Lte => "<= ?",
        FilterOperator.Gt => "> ?",
        FilterOperator.Gte => ">= ?",
        FilterOperator.In => "IN (?)",
        FilterOperator.NotIn => "NOT IN (?)",
        FilterOperator.Contains => "CONTAINS ?",
        FilterOperator.StartsWith => "STARTS WITH ?",
        FilterOperator.IsNull => "IS NULL ?",
        _ => "? ?",
    };

    /// <summary>Stable across silos, processes and versions: a hash of the kind and the full text, never of a value.</summary>
    private static string Id(string kind, string statement)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\n{statement}"));
        return "qs_" + Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
