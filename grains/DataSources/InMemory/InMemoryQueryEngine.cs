using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.InMemory;

/// <summary>
/// Runs structured queries over rows held in memory (file-based sources), with the semantics the SQL sources have:
/// a comparison with a missing value is false (also for ne and not_in), text equality is exact, contains and
/// starts_with ignore case, nulls sort last ascending and first descending, a member of another type than the
/// comparison's value matches nothing, count of a field counts its non-null values, sum/avg/min/max leave nulls out.
/// Queries are checked by the same planner the SQL sources use, so every source answers a bad query with the same error.
/// </summary>
public static class InMemoryQueryEngine
{
    public static (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits, string version)
    {
        var (plan, problem) = QueryPlanner.Plan(query, table, SqlDialect.InMemory.SupportsMembers, limits);
        if (plan is null)
        {
            return (null, problem);
        }
        // The statement names exactly what is read; the version names the data it is read from.
        var compiled = CompiledRead.Of(SqlQueryCompiler.Write(plan, SqlDialect.InMemory), SqlDialect.InMemory);
        return (new InMemoryRead($"{version}\n{compiled.Fingerprint}", plan.Columns, plan.Limit, plan), null);
    }

    public static RowSet Run(InMemoryRead read, IReadOnlyList<object?[]> rows)
    {
        var plan = read.Plan;
        var members = new JsonMembers();
        var indexes = plan.Table.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        object? Value(object?[] row, FieldRef field, MemberUse use) =>
            field.IsMember ? members.Read(row[indexes[field.Column.Name]], field.Members, use) : row[indexes[field.Column.Name]];

        var matching = rows.Where(row => plan.Filters.All(f => Matches(Value(row, f.Field, f.Member ?? MemberUse.Present), f))).ToList();
        List<object?[]> answer;
        if (plan.IsAggregate)
        {
            answer = Groups(plan, matching, Value);
            answer = Sort(answer, plan.Order.Select(o => (Key: (Func<object?[], object?>)(row => row[o.Output]), o.Descending)).ToArray());
        }
        else
        {
            var sorted = Sort(matching, plan.Order.Select(o => (Key: (Func<object?[], object?>)(row => Value(row, o.Field!, MemberUse.Order)), o.Descending)).ToArray());
            answer = sorted.Skip(plan.Offset).Take(plan.Limit).Select(row => plan.Select.Select(f => Value(row, f, MemberUse.Json)).ToArray()).ToList();
            return new RowSet(plan.Columns, answer);
        }
        return new RowSet(plan.Columns, answer.Skip(plan.Offset).Take(plan.Limit).ToList());
    }

    private static List<object?[]> Groups(QueryPlan plan, List<object?[]> rows, Func<object?[], FieldRef, MemberUse, object?> value)
    {
        var groups = new Dictionary<string, (object?[] Key, List<object?[]> Rows)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var key = plan.Select.Select(f => value(row, f, MemberUse.Json)).ToArray();
            var text = string.Join('\u001f', key.Select(KeyText));
            if (!groups.TryGetValue(text, out var group))
            {
                group = (key, []);
                groups[text] = group;
            }
            group.Rows.Add(row);
        }
        if (plan.Select.Count == 0 && groups.Count == 0)
        {
            // Without group_by there is one group, also over no rows at all (a count of 0).
            groups[""] = ([], []);
        }
        return groups.Values.Select(g => g.Key.Concat(plan.Aggregates.Select(a => Compute(a, g.Rows, value))).ToArray()).ToList();
    }

    private static string KeyText(object? value) => value switch
    {
        null => "n",
        RawJson json => "j" + json.Json,
        DateOnly date => "d" + date.DayNumber,
        DateTimeOffset moment => "t" + moment.UtcTicks,
        _ => value.GetType().Name + System.Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static object? Compute(PlannedAggregate aggregate, List<object?[]> rows, Func<object?[], FieldRef, MemberUse, object?> value)
    {
        if (aggregate.Field is not { } field)
        {
            return (long)rows.Count;
        }
        var use = aggregate.Function == AggregateFunction.Count ? MemberUse.Present : MemberUse.Number;
        var values = rows.Select(row => value(row, field, use)).OfType<object>().ToList();
        switch (aggregate.Function)
        {
            case AggregateFunction.Count:
                return (long)values.Count;
            case AggregateFunction.Min or AggregateFunction.Max:
                if (values.Count == 0)
                {
                    return null;
                }
                var best = values[0];
                foreach (var v in values.Skip(1))
                {
                    var order = Compare(v, best);
                    if (aggregate.Function == AggregateFunction.Min ? order < 0 : order > 0)
                    {
                        best = v;
                    }
                }
                return best;
            default:
                if (values.Count == 0)
                {
                    return null;
                }
                if (values.Any(v => v is double))
                {
                    var sum = values.Sum(v => System.Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture));
                    return aggregate.Function == AggregateFunction.Sum ? sum : sum / values.Count;
                }
                var total = values.Sum(v => System.Convert.ToDecimal(v, System.Globalization.CultureInfo.InvariantCulture));
                if (aggregate.Function == AggregateFunction.Avg)
                {
                    return total / values.Count;
                }
                return aggregate.Type == DataType.Integer && total is >= long.MinValue and <= long.MaxValue ? (long)total : total;
        }
    }

    private static List<object?[]> Sort(List<object?[]> rows, (Func<object?[], object?> Key, bool Descending)[] keys)
    {
        if (keys.Length == 0)
        {
            return rows;
        }
        return rows.Order(Comparer<object?[]>.Create((a, b) =>
        {
            foreach (var (key, descending) in keys)
            {
                var order = CompareForSort(key(a), key(b), descending);
                if (order != 0)
                {
                    return order;
                }
            }
            return 0;
        })).ToList();
    }

    private static bool Matches(object? value, PlannedFilter filter)
    {
        if (filter.Operator == FilterOperator.IsNull)
        {
            return (value is null) == (bool)filter.Value;
        }
        if (value is null)
        {
            return false;
        }
        var typed = Normalize(filter.Value);
        return filter.Operator switch
        {
            FilterOperator.Eq => Compare(value, typed) == 0,
            FilterOperator.Ne => Compare(value, typed) != 0,
            FilterOperator.Lt => Compare(value, typed) < 0,
            FilterOperator.Lte => Compare(value, typed) <= 0,
            FilterOperator.Gt => Compare(value, typed) > 0,
            FilterOperator.Gte => Compare(value, typed) >= 0,
            FilterOperator.In => ((object[])filter.Value).Any(v => Compare(value, Normalize(v)) == 0),
            FilterOperator.NotIn => ((object[])filter.Value).All(v => Compare(value, Normalize(v)) != 0),
            FilterOperator.Contains => value.ToString()!.Contains((string)filter.Value, StringComparison.OrdinalIgnoreCase),
            FilterOperator.StartsWith => value.ToString()!.StartsWith((string)filter.Value, StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
    }

    private static object Normalize(object value) => value is DateTimeOffset moment ? moment.ToUniversalTime() : value;

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
        (OrderKey x, OrderKey y) => x.Rank != y.Rank ? x.Rank.CompareTo(y.Rank) : Compare(x.Value, y.Value),
        (double x, _) when IsNumber(b) => x.CompareTo(System.Convert.ToDouble(b, System.Globalization.CultureInfo.InvariantCulture)),
        (_, double y) when IsNumber(a) => System.Convert.ToDouble(a, System.Globalization.CultureInfo.InvariantCulture).CompareTo(y),
        _ when IsNumber(a) && IsNumber(b) => System.Convert.ToDecimal(a, System.Globalization.CultureInfo.InvariantCulture)
            .CompareTo(System.Convert.ToDecimal(b, System.Globalization.CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(System.Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture), System.Convert.ToString(b, System.Globalization.CultureInfo.InvariantCulture)),
    };

    private static bool IsNumber(object value) => value is long or decimal or double;
}
