using System.Text.Json;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.InMemory;

/// <summary>
/// Runs structured queries over rows held in memory (file-based sources), with the semantics the SQL sources have:
/// a comparison with a missing value is false (also for ne and not_in), text equality is exact, contains and
/// starts_with ignore case, nulls sort last ascending and first descending. Queries are checked by the same
/// compiler the SQL sources use, so every source answers a bad query with the same error.
/// </summary>
public static class InMemoryQueryEngine
{
    public static (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits, string version)
    {
        var (compiled, problem) = CompiledRead.Compile(query, table, SqlDialect.Postgres, limits);
        if (compiled is not CompiledRead read)
        {
            return (null, problem);
        }
        var filters = new List<InMemoryFilter>();
        foreach (var filter in query.Filters)
        {
            var index = IndexOf(table, filter.Field);
            var column = table.Columns[index];
            using var document = JsonDocument.Parse(filter.ValueJson);
            var json = document.RootElement;
            object value = filter.Operator switch
            {
                FilterOperator.IsNull => json.GetBoolean(),
                FilterOperator.In or FilterOperator.NotIn => json.EnumerateArray().Select(v => Typed(v, column, limits)).ToArray(),
                _ => Typed(json, column, limits),
            };
            filters.Add(new InMemoryFilter(index, column.Type, filter.Operator, value));
        }
        // The compiled statement names exactly what is read; the version names the data it is read from.
        return (new InMemoryRead($"{version}\n{read.Fingerprint}", read.Columns, read.Limit, table, filters, query.OrderBy, query.Offset), null);
    }

    public static RowSet Run(InMemoryRead read, IReadOnlyList<object?[]> rows)
    {
        IEnumerable<object?[]> matching = rows.Where(row => read.Filters.All(f => Matches(row[f.Column], f)));
        if (read.OrderBy.Count > 0)
        {
            var keys = read.OrderBy.Select(o => (Index: IndexOf(read.Table, o.Field), o.Descending)).ToArray();
            matching = matching.Order(Comparer<object?[]>.Create((a, b) =>
            {
                foreach (var (index, descending) in keys)
                {
                    var order = CompareForSort(a[index], b[index], descending);
                    if (order != 0)
                    {
                        return order;
                    }
                }
                return 0;
            }));
        }
        var projection = read.Columns.Select(c => IndexOf(read.Table, c.Name)).ToArray();
        var page = matching.Skip(read.Offset).Take(read.Limit)
            .Select(row => projection.Select(i => row[i]).ToArray())
            .ToList();
        return new RowSet(read.Columns, page);
    }

    private static object Typed(JsonElement json, ColumnSchema column, QueryLimits limits) =>
        FilterValueReader.TryRead(json, column, limits, out var value, out _) ? Normalize(value) : throw new InvalidOperationException("The compiler accepted a value the reader refuses.");

    private static object Normalize(object value) => value is DateTimeOffset moment ? moment.ToUniversalTime() : value;

    private static bool Matches(object? value, InMemoryFilter filter)
    {
        if (filter.Operator == FilterOperator.IsNull)
        {
            return (value is null) == (bool)filter.Value;
        }
        if (value is null)
        {
            return false;
        }
        return filter.Operator switch
        {
            FilterOperator.Eq => Compare(value, filter.Value) == 0,
            FilterOperator.Ne => Compare(value, filter.Value) != 0,
            FilterOperator.Lt => Compare(value, filter.Value) < 0,
            FilterOperator.Lte => Compare(value, filter.Value) <= 0,
            FilterOperator.Gt => Compare(value, filter.Value) > 0,
            FilterOperator.Gte => Compare(value, filter.Value) >= 0,
            FilterOperator.In => ((object[])filter.Value).Any(v => Compare(value, v) == 0),
            FilterOperator.NotIn => ((object[])filter.Value).All(v => Compare(value, v) != 0),
            FilterOperator.Contains => value.ToString()!.Contains((string)filter.Value, StringComparison.OrdinalIgnoreCase),
            FilterOperator.StartsWith => value.ToString()!.StartsWith((string)filter.Value, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    private static int CompareForSort(object? a, object? b, bool descending)
    {
        if (a is null || b is null)
        {
            // Nulls last ascending, first descending (PostgreSQL's default).
            var nulls = (a is null ? 1 : 0) - (b is null ? 1 : 0);
            return descending ? -nulls : nulls;
        }
        var order = Compare(a, b);
        return descending ? -order : order;
    }

    /// <summary>Compares a stored value with a typed one; numbers compare across integer and decimal kinds.</summary>
    public static int Compare(object a, object b) => (a, b) switch
    {
        (string x, string y) => string.CompareOrdinal(x, y),
        (long x, long y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        (DateOnly x, DateOnly y) => x.CompareTo(y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        (double x, _) when IsNumber(b) => x.CompareTo(Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture)),
        (_, double y) when IsNumber(a) => Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture).CompareTo(y),
        _ when IsNumber(a) && IsNumber(b) => Convert.ToDecimal(a, System.Globalization.CultureInfo.InvariantCulture)
            .CompareTo(Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture), Convert.ToString(b, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static bool IsNumber(object value) => value is long or decimal or double;

    private static int IndexOf(TableSchema table, string field)
    {
        for (var i = 0; i < table.Columns.Count; i++)
        {
            if (string.Equals(table.Columns[i].Name, field, StringComparison.Ordinal))
            {
                return i;
            }
        }
        throw new InvalidOperationException($"Field '{field}' was checked against the schema but is not in it.");
    }
}
