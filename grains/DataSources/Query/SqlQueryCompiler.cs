using System.Globalization;
using System.Text;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Compiles a <see cref="DataQuery"/> against a discovered table into parameterized SQL for one dialect. Every
/// identifier is checked against the schema and quoted; every value, member path included, is a parameter; nothing
/// from the request is ever spliced into the SQL text (aggregate names are checked identifiers, and quoted too).
/// </summary>
public static class SqlQueryCompiler
{
    // Pattern matches escape their own wildcards with '!', which needs no escaping in any dialect's string literals
    // (Snowflake treats a backslash in a literal as an escape of its own).
    private const char LikeEscape = '!';

    public static (CompiledQuery? Query, QueryProblem? Problem) Compile(DataQuery query, TableSchema table, SqlDialect dialect, QueryLimits limits)
    {
        var (plan, problem) = QueryPlanner.Plan(query, table, dialect.SupportsMembers, limits);
        return plan is null ? (null, problem) : (Write(plan, dialect), null);
    }

    /// <summary>The statement for a checked plan.</summary>
    public static CompiledQuery Write(QueryPlan plan, SqlDialect dialect)
    {
        var sql = new StringBuilder("SELECT ");
        var parameters = new List<QueryParameter>();
        for (var i = 0; i < plan.Select.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }
            var field = plan.Select[i];
            AppendField(sql, parameters, field, MemberUse.Json, dialect);
            if (field.IsMember || plan.IsAggregate)
            {
                sql.Append(" AS ");
                dialect.AppendIdentifier(sql, field.Name);
            }
        }
        for (var i = 0; i < plan.Aggregates.Count; i++)
        {
            if (plan.Select.Count + i > 0)
            {
                sql.Append(", ");
            }
            AppendAggregate(sql, parameters, plan.Aggregates[i], dialect);
            sql.Append(" AS ");
            dialect.AppendIdentifier(sql, plan.Aggregates[i].Name);
        }
        sql.Append(" FROM ");
        for (var i = 0; i < plan.Table.Path.Count; i++)
        {
            if (i > 0)
            {
                sql.Append('.');
            }
            dialect.AppendIdentifier(sql, plan.Table.Path[i]);
        }

        for (var i = 0; i < plan.Filters.Count; i++)
        {
            sql.Append(i == 0 ? " WHERE " : " AND ");
            AppendFilter(sql, parameters, plan.Filters[i], dialect);
        }

        if (plan.IsAggregate && plan.Select.Count > 0)
        {
            // By position: the group expressions (member reads with their bound paths) are written once, in the select list.
            sql.Append(" GROUP BY ").AppendJoin(", ", Enumerable.Range(1, plan.Select.Count).Select(Ordinal));
        }

        for (var i = 0; i < plan.Order.Count; i++)
        {
            var order = plan.Order[i];
            sql.Append(i == 0 ? " ORDER BY " : ", ");
            if (order.Field is { } field)
            {
                AppendField(sql, parameters, field, MemberUse.Order, dialect);
            }
            else
            {
                sql.Append(Ordinal(order.Output + 1));
            }
            sql.Append(order.Descending ? " DESC" : " ASC");
        }

        if (dialect.BindsPaging)
        {
            sql.Append(" LIMIT ").Append(Bind(parameters, dialect, (long)plan.Limit, DataType.Integer));
            sql.Append(" OFFSET ").Append(Bind(parameters, dialect, (long)plan.Offset, DataType.Integer));
        }
        else
        {
            sql.Append(" LIMIT ").Append(Ordinal(plan.Limit));
            sql.Append(" OFFSET ").Append(Ordinal(plan.Offset));
        }
        return new CompiledQuery(sql.ToString(), parameters, plan.Columns, plan.Limit, plan.Offset, plan.IsAggregate);
    }

    private static void AppendField(StringBuilder sql, List<QueryParameter> parameters, FieldRef field, MemberUse use, SqlDialect dialect)
    {
        if (!field.IsMember)
        {
            dialect.AppendIdentifier(sql, field.Column.Name);
            return;
        }
        var (path, type) = dialect.MemberPath(field.Members);
        dialect.AppendMember(sql, field.Column.Name, Bind(parameters, dialect, path, type), use);
    }

    private static void AppendAggregate(StringBuilder sql, List<QueryParameter> parameters, PlannedAggregate aggregate, SqlDialect dialect)
    {
        sql.Append(aggregate.Function switch
        {
            AggregateFunction.Count => "COUNT(",
            AggregateFunction.Sum => "SUM(",
            AggregateFunction.Avg => "AVG(",
            AggregateFunction.Min => "MIN(",
            _ => "MAX(",
        });
        if (aggregate.Field is not { } field)
        {
            sql.Append('*');
        }
        else
        {
            AppendField(sql, parameters, field, aggregate.Function == AggregateFunction.Count ? MemberUse.Present : MemberUse.Number, dialect);
        }
        sql.Append(')');
    }

    private static void AppendFilter(StringBuilder sql, List<QueryParameter> parameters, PlannedFilter filter, SqlDialect dialect)
    {
        var use = filter.Member ?? MemberUse.Present;
        switch (filter.Operator)
        {
            case FilterOperator.IsNull:
                AppendField(sql, parameters, filter.Field, MemberUse.Present, dialect);
                sql.Append((bool)filter.Value ? " IS NULL" : " IS NOT NULL");
                return;

            case FilterOperator.In or FilterOperator.NotIn:
                AppendField(sql, parameters, filter.Field, use, dialect);
                sql.Append(filter.Operator == FilterOperator.In ? " IN (" : " NOT IN (");
                var first = true;
                foreach (var item in (object[])filter.Value)
                {
                    sql.Append(first ? "" : ", ").Append(Bind(parameters, dialect, item, filter.ValueType));
                    first = false;
                }
                sql.Append(')');
                return;

            case FilterOperator.Contains or FilterOperator.StartsWith:
                var pattern = EscapeLike((string)filter.Value) + "%";
                AppendField(sql, parameters, filter.Field, use, dialect);
                sql.Append(' ').Append(dialect.CaseInsensitiveLike).Append(' ')
                    .Append(Bind(parameters, dialect, filter.Operator == FilterOperator.Contains ? "%" + pattern : pattern, DataType.Text))
                    .Append(" ESCAPE '").Append(LikeEscape).Append('\'');
                return;

            default:
                AppendField(sql, parameters, filter.Field, use, dialect);
                sql.Append(filter.Operator switch
                {
                    FilterOperator.Eq => " = ",
                    FilterOperator.Ne => " <> ",
                    FilterOperator.Lt => " < ",
                    FilterOperator.Lte => " <= ",
                    FilterOperator.Gt => " > ",
                    _ => " >= ",
                }).Append(Bind(parameters, dialect, filter.Value, filter.ValueType));
                return;
        }
    }

    private static string Bind(List<QueryParameter> parameters, SqlDialect dialect, object value, DataType type)
    {
        var index = parameters.Count;
        parameters.Add(new QueryParameter(dialect.ParameterName(index), value, type));
        return dialect.Placeholder(index);
    }

    /// <summary>A number the compiler counted itself (a position, a checked limit), never request text.</summary>
    private static string Ordinal(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string EscapeLike(string text)
    {
        var escaped = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (c is '%' or '_' or LikeEscape)
            {
                escaped.Append(LikeEscape);
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    public static string Name(FilterOperator op) => op switch
    {
        FilterOperator.NotIn => "not_in",
        FilterOperator.StartsWith => "starts_with",
        FilterOperator.IsNull => "is_null",
        _ => op.ToString().ToLowerInvariant(),
    };

    public static string UnknownField(string field, TableSchema table) =>
        $"Unknown field '{field}' in table '{table.Name}'. Its fields: {string.Join(", ", table.Columns.Select(c => c.Name))}.";
}
