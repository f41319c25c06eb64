using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Compiles a <see cref="DataQuery"/> against a discovered table into parameterized SQL for one dialect. Every
/// identifier is checked against the schema and quoted; every value is a parameter; nothing from the request is
/// ever spliced into the SQL text.
/// </summary>
public static class SqlQueryCompiler
{
    // Pattern matches escape their own wildcards with '!', which needs no escaping in any dialect's string literals
    // (Snowflake treats a backslash in a literal as an escape of its own).
    private const char LikeEscape = '!';

    public static (CompiledQuery? Query, QueryProblem? Problem) Compile(DataQuery query, TableSchema table, SqlDialect dialect, QueryLimits limits)
    {
        var limit = query.Limit ?? limits.DefaultLimit;
        if (limit < 1 || limit > limits.MaxLimit)
        {
            return Refuse("limit", $"limit must be between 1 and {limits.MaxLimit}.");
        }
        if (query.Offset < 0 || query.Offset > limits.MaxOffset)
        {
            return Refuse("offset", $"offset must be between 0 and {limits.MaxOffset}.");
        }
        if (query.Filters.Count > limits.MaxFilters)
        {
            return Refuse("filters", $"At most {limits.MaxFilters} filters per query.");
        }

        var columns = new List<ColumnSchema>();
        if (query.Fields is null || query.Fields.Count == 0)
        {
            columns.AddRange(table.Columns);
        }
        else
        {
            foreach (var field in query.Fields)
            {
                if (table.FindColumn(field) is not { } column)
                {
                    return Refuse("fields", UnknownField(field, table));
                }
                if (columns.Contains(column))
                {
                    return Refuse("fields", $"Field '{field}' is listed twice.");
                }
                columns.Add(column);
            }
        }

        var sql = new StringBuilder("SELECT ");
        var parameters = new List<QueryParameter>();
        for (var i = 0; i < columns.Count; i++)
        {
            if (i > 0)
            {
                sql.Append(", ");
            }
            dialect.AppendIdentifier(sql, columns[i].Name);
        }
        sql.Append(" FROM ");
        for (var i = 0; i < table.Path.Count; i++)
        {
            if (i > 0)
            {
                sql.Append('.');
            }
            dialect.AppendIdentifier(sql, table.Path[i]);
        }

        for (var i = 0; i < query.Filters.Count; i++)
        {
            sql.Append(i == 0 ? " WHERE " : " AND ");
            if (AppendFilter(sql, parameters, query.Filters[i], table, dialect, limits) is { } problem)
            {
                return (null, problem);
            }
        }

        for (var i = 0; i < query.OrderBy.Count; i++)
        {
            var order = query.OrderBy[i];
            if (table.FindColumn(order.Field) is not { } column)
            {
                return Refuse("order_by", UnknownField(order.Field, table));
            }
            if (column.Type.IsStructured() || column.Type == DataType.Binary)
            {
                return Refuse("order_by", $"Field '{column.Name}' ({FilterValueReader.Describe(column.Type)}) cannot be ordered by.");
            }
            sql.Append(i == 0 ? " ORDER BY " : ", ");
            dialect.AppendIdentifier(sql, column.Name);
            sql.Append(order.Descending ? " DESC" : " ASC");
        }

        if (dialect.BindsPaging)
        {
            sql.Append(" LIMIT ").Append(Bind(parameters, dialect, (long)limit, DataType.Integer));
            sql.Append(" OFFSET ").Append(Bind(parameters, dialect, (long)query.Offset, DataType.Integer));
        }
        else
        {
            sql.Append(" LIMIT ").Append(limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            sql.Append(" OFFSET ").Append(query.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return (new CompiledQuery(sql.ToString(), parameters, columns, limit, query.Offset), null);
    }

    private static QueryProblem? AppendFilter(StringBuilder sql, List<QueryParameter> parameters, DataFilter filter, TableSchema table,
        SqlDialect dialect, QueryLimits limits)
    {
        var where = $"filters.{filter.Field}";
        if (table.FindColumn(filter.Field) is not { } column)
        {
            return new QueryProblem("filters", UnknownField(filter.Field, table));
        }
        JsonElement value;
        try
        {
            using var document = JsonDocument.Parse(filter.ValueJson);
            value = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return new QueryProblem(where, "The filter value is not valid JSON.");
        }

        switch (filter.Operator)
        {
            case FilterOperator.IsNull:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    return new QueryProblem(where, "is_null takes true or false.");
                }
                dialect.AppendIdentifier(sql, column.Name);
                sql.Append(value.GetBoolean() ? " IS NULL" : " IS NOT NULL");
                return null;

            case FilterOperator.In or FilterOperator.NotIn:
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 || value.GetArrayLength() > limits.MaxInValues)
                {
                    return new QueryProblem(where, $"{Name(filter.Operator)} takes an array of 1 to {limits.MaxInValues} values.");
                }
                dialect.AppendIdentifier(sql, column.Name);
                sql.Append(filter.Operator == FilterOperator.In ? " IN (" : " NOT IN (");
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!FilterValueReader.TryRead(item, column, limits, out var typed, out var problem))
                    {
                        return new QueryProblem(where, problem!);
                    }
                    sql.Append(first ? "" : ", ").Append(Bind(parameters, dialect, typed, column.Type));
                    first = false;
                }
                sql.Append(')');
                return null;

            case FilterOperator.Contains or FilterOperator.StartsWith:
                if (column.Type != DataType.Text)
                {
                    return new QueryProblem(where, $"{Name(filter.Operator)} applies to text; '{column.Name}' is {FilterValueReader.Describe(column.Type)}.");
                }
                if (!FilterValueReader.TryRead(value, column, limits, out var text, out var textProblem))
                {
                    return new QueryProblem(where, textProblem!);
                }
                var pattern = EscapeLike((string)text) + "%";
                dialect.AppendIdentifier(sql, column.Name);
                sql.Append(' ').Append(dialect.CaseInsensitiveLike).Append(' ')
                    .Append(Bind(parameters, dialect, filter.Operator == FilterOperator.Contains ? "%" + pattern : pattern, DataType.Text))
                    .Append(" ESCAPE '").Append(LikeEscape).Append('\'');
                return null;

            default:
                if (filter.Operator is FilterOperator.Lt or FilterOperator.Lte or FilterOperator.Gt or FilterOperator.Gte
                    && column.Type == DataType.Boolean)
                {
                    return new QueryProblem(where, $"{Name(filter.Operator)} does not apply to a boolean.");
                }
                if (!FilterValueReader.TryRead(value, column, limits, out var scalar, out var scalarProblem))
                {
                    return new QueryProblem(where, scalarProblem!);
                }
                dialect.AppendIdentifier(sql, column.Name);
                sql.Append(filter.Operator switch
                {
                    FilterOperator.Eq => " = ",
                    FilterOperator.Ne => " <> ",
                    FilterOperator.Lt => " < ",
                    FilterOperator.Lte => " <= ",
                    FilterOperator.Gt => " > ",
                    _ => " >= ",
                }).Append(Bind(parameters, dialect, scalar, column.Type));
                return null;
        }
    }

    private static string Bind(List<QueryParameter> parameters, SqlDialect dialect, object value, DataType type)
    {
        var index = parameters.Count;
        parameters.Add(new QueryParameter(dialect.ParameterName(index), value, type));
        return dialect.Placeholder(index);
    }

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

    private static string UnknownField(string field, TableSchema table) =>
        $"Unknown field '{field}' in table '{table.Name}'. Its fields: {string.Join(", ", table.Columns.Select(c => c.Name))}.";

    private static (CompiledQuery?, QueryProblem?) Refuse(string field, string detail) => (null, new QueryProblem(field, detail));
}
