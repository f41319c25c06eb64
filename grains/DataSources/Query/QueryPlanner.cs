using System.Text.Json;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// Checks a <see cref="DataQuery"/> against a discovered table and resolves it into a <see cref="QueryPlan"/>: every
/// field found in the schema (or as a member of an object or JSON field), every value typed, every limit applied.
/// Anything wrong is a <see cref="QueryProblem"/> naming the request field at fault.
/// </summary>
public static class QueryPlanner
{
    public static (QueryPlan? Plan, QueryProblem? Problem) Plan(DataQuery query, TableSchema table, Func<ColumnSchema, bool> supportsMembers, QueryLimits limits)
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
        if (query.Aggregates is { } aggregates && aggregates.Count > limits.MaxAggregates)
        {
            return Refuse("aggregates", $"At most {limits.MaxAggregates} aggregates per query.");
        }
        if (query.GroupBy is { } groupBy && groupBy.Count > limits.MaxGroupBy)
        {
            return Refuse("group_by", $"At most {limits.MaxGroupBy} group_by fields per query.");
        }

        var resolver = new Resolver(table, supportsMembers);
        var filters = new List<PlannedFilter>();
        foreach (var filter in query.Filters)
        {
            var (planned, problem) = PlanFilter(filter, resolver, limits);
            if (problem is not null)
            {
                return (null, problem);
            }
            filters.Add(planned!);
        }
        return AggregateNames.IsAggregate(query)
            ? PlanAggregate(query, resolver, filters, limit)
            : PlanRows(query, resolver, filters, limit);
    }

    private static (QueryPlan?, QueryProblem?) PlanRows(DataQuery query, Resolver resolver, List<PlannedFilter> filters, int limit)
    {
        var table = resolver.Table;
        var select = new List<FieldRef>();
        if (query.Fields is null || query.Fields.Count == 0)
        {
            select.AddRange(table.Columns.Select(c => new FieldRef(c.Name, c, [])));
        }
        else
        {
            foreach (var name in query.Fields)
            {
                var (field, problem) = resolver.Resolve(name, "fields");
                if (problem is not null)
                {
                    return (null, problem);
                }
                if (select.Any(f => f.Name == field!.Name))
                {
                    return Refuse("fields", $"Field '{name}' is listed twice.");
                }
                select.Add(field!);
            }
        }
        var order = new List<PlannedOrder>();
        foreach (var by in query.OrderBy)
        {
            var (field, problem) = resolver.Resolve(by.Field, "order_by");
            if (problem is not null)
            {
                return (null, problem);
            }
            if (!field!.IsMember && (field.Column.Type.IsStructured() || field.Column.Type == DataType.Binary))
            {
                return Refuse("order_by", $"Field '{field.Column.Name}' ({FilterValueReader.Describe(field.Column.Type)}) cannot be ordered by.");
            }
            order.Add(new PlannedOrder(field, -1, by.Descending));
        }
        return (new QueryPlan(table, select, false, [], filters, order, select.Select(Output).ToArray(), limit, query.Offset), null);
    }

    private static (QueryPlan?, QueryProblem?) PlanAggregate(DataQuery query, Resolver resolver, List<PlannedFilter> filters, int limit)
    {
        var groupNames = query.GroupBy ?? [];
        if (query.Fields is { Count: > 0 } fields && fields.FirstOrDefault(f => !groupNames.Contains(f, StringComparer.Ordinal)) is { } extra)
        {
            return Refuse("fields", $"With aggregates the answer is the group_by fields and the aggregates; '{extra}' is not in group_by (leave 'fields' out).");
        }
        var groups = new List<FieldRef>();
        foreach (var name in groupNames)
        {
            var (field, problem) = resolver.Resolve(name, "group_by");
            if (problem is not null)
            {
                return (null, problem);
            }
            if (!field!.IsMember && (field.Column.Type.IsStructured() || field.Column.Type == DataType.Binary))
            {
                return Refuse("group_by", $"Field '{field.Column.Name}' ({FilterValueReader.Describe(field.Column.Type)}) cannot be grouped by; group by one of its members instead.");
            }
            if (groups.Any(g => g.Name == field.Name))
            {
                return Refuse("group_by", $"Field '{name}' is listed twice.");
            }
            groups.Add(field);
        }
        var columns = groups.Select(Output).ToList();

        var aggregates = new List<PlannedAggregate>();
        var list = query.Aggregates ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var where = $"aggregates[{i}]";
            var (aggregate, problem) = PlanAggregate(list[i], resolver, where);
            if (problem is not null)
            {
                return (null, problem);
            }
            if (columns.Any(c => c.Name == aggregate!.Name))
            {
                return Refuse(where, $"The answer already has a column '{aggregate!.Name}'; give this aggregate another name with 'as'.");
            }
            aggregates.Add(aggregate!);
            columns.Add(new ColumnSchema(aggregate!.Name, aggregate.Type, true, AggregateNames.FunctionName(aggregate.Function)));
        }

        var order = new List<PlannedOrder>();
        foreach (var by in query.OrderBy)
        {
            var output = columns.FindIndex(c => c.Name == by.Field);
            if (output < 0)
            {
                return Refuse("order_by", $"An aggregate query is ordered by its group_by fields or aggregate names: {string.Join(", ", columns.Select(c => c.Name))}; not '{by.Field}'.");
            }
            order.Add(new PlannedOrder(null, output, by.Descending));
        }
        if (order.Count == 0)
        {
            // Groups come in a stable order, so paging through them neither repeats nor skips one.
            order.AddRange(groups.Select((_, i) => new PlannedOrder(null, i, false)));
        }
        return (new QueryPlan(resolver.Table, groups, true, aggregates, filters, order, columns, limit, query.Offset), null);
    }

    private static (PlannedAggregate?, QueryProblem?) PlanAggregate(DataAggregate aggregate, Resolver resolver, string where)
    {
        var name = AggregateNames.Of(aggregate);
        if (!AggregateNames.IsValid(name))
        {
            return aggregate.As is null
                ? Fail($"The default name '{Shown(name)}' is not a plain name; name the column with 'as' (letters, digits and '_', at most {AggregateNames.MaxLength}).", where)
                : Fail($"'as' must be letters, digits and '_', not starting with a digit, at most {AggregateNames.MaxLength} characters.", where + ".as");
        }
        var fn = AggregateNames.FunctionName(aggregate.Function);
        if (aggregate.Field is null)
        {
            return aggregate.Function == AggregateFunction.Count
                ? (new PlannedAggregate(AggregateFunction.Count, null, name, DataType.Integer), null)
                : Fail($"{fn} needs a field.", where + ".field");
        }
        var (field, problem) = resolver.Resolve(aggregate.Field, where + ".field");
        if (problem is not null)
        {
            return (null, problem);
        }
        var column = field!.Column;
        if (aggregate.Function == AggregateFunction.Count)
        {
            return (new PlannedAggregate(AggregateFunction.Count, field, name, DataType.Integer), null);
        }
        if (field.IsMember)
        {
            // A member's type is not in the schema: it is aggregated as a number, and rows where it is none are left out.
            return (new PlannedAggregate(aggregate.Function, field, name, DataType.Decimal), null);
        }
        switch (aggregate.Function)
        {
            case AggregateFunction.Sum or AggregateFunction.Avg when column.Type is not (DataType.Integer or DataType.Decimal):
                return Fail($"{fn} needs a number; '{column.Name}' is {FilterValueReader.Describe(column.Type)}.", where + ".field");
            case AggregateFunction.Sum:
                return (new PlannedAggregate(aggregate.Function, field, name, column.Type), null);
            case AggregateFunction.Avg:
                return (new PlannedAggregate(aggregate.Function, field, name, DataType.Decimal), null);
            default:
                if (column.Type.IsStructured() || column.Type is DataType.Binary or DataType.Boolean)
                {
                    return Fail($"{fn} applies to numbers, text and dates; '{column.Name}' is {FilterValueReader.Describe(column.Type)}.", where + ".field");
                }
                return (new PlannedAggregate(aggregate.Function, field, name, column.Type), null);
        }

        static (PlannedAggregate?, QueryProblem?) Fail(string detail, string where) => (null, new QueryProblem(where, detail));
    }

    private static (PlannedFilter?, QueryProblem?) PlanFilter(DataFilter filter, Resolver resolver, QueryLimits limits)
    {
        var where = $"filters.{filter.Field}";
        var (field, resolveProblem) = resolver.Resolve(filter.Field, "filters");
        if (resolveProblem is not null)
        {
            return (null, resolveProblem);
        }
        JsonElement value;
        try
        {
            using var document = JsonDocument.Parse(filter.ValueJson);
            value = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Fail("The filter value is not valid JSON.");
        }
        if (filter.Operator == FilterOperator.IsNull)
        {
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? (new PlannedFilter(field!, FilterOperator.IsNull, value.GetBoolean(), DataType.Boolean, field!.IsMember ? MemberUse.Present : null), null)
                : Fail("is_null takes true or false.");
        }
        return field!.IsMember ? PlanMemberFilter(filter, field, value, where, limits) : PlanColumnFilter(filter, field, value, where, limits);

        (PlannedFilter?, QueryProblem?) Fail(string detail) => (null, new QueryProblem(where, detail));
    }

    private static (PlannedFilter?, QueryProblem?) PlanColumnFilter(DataFilter filter, FieldRef field, JsonElement value, string where, QueryLimits limits)
    {
        var column = field.Column;
        switch (filter.Operator)
        {
            case FilterOperator.In or FilterOperator.NotIn:
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 || value.GetArrayLength() > limits.MaxInValues)
                {
                    return Fail($"{SqlQueryCompiler.Name(filter.Operator)} takes an array of 1 to {limits.MaxInValues} values.");
                }
                var values = new List<object>();
                foreach (var item in value.EnumerateArray())
                {
                    if (!FilterValueReader.TryRead(item, column, limits, out var typed, out var problem))
                    {
                        return Fail(problem!);
                    }
                    values.Add(typed);
                }
                return (new PlannedFilter(field, filter.Operator, values.ToArray(), column.Type, null), null);

            case FilterOperator.Contains or FilterOperator.StartsWith:
                if (column.Type != DataType.Text)
                {
                    return Fail($"{SqlQueryCompiler.Name(filter.Operator)} applies to text; '{column.Name}' is {FilterValueReader.Describe(column.Type)}.");
                }
                if (!FilterValueReader.TryRead(value, column, limits, out var text, out var textProblem))
                {
                    return Fail(textProblem!);
                }
                return (new PlannedFilter(field, filter.Operator, text, DataType.Text, null), null);

            default:
                if (filter.Operator is FilterOperator.Lt or FilterOperator.Lte or FilterOperator.Gt or FilterOperator.Gte
                    && column.Type == DataType.Boolean)
                {
                    return Fail($"{SqlQueryCompiler.Name(filter.Operator)} does not apply to a boolean.");
                }
                if (!FilterValueReader.TryRead(value, column, limits, out var scalar, out var scalarProblem))
                {
                    return Fail(scalarProblem!);
                }
                return (new PlannedFilter(field, filter.Operator, scalar, column.Type, null), null);
        }

        (PlannedFilter?, QueryProblem?) Fail(string detail) => (null, new QueryProblem(where, detail));
    }

    /// <summary>
    /// A member's type is not in the schema, so the comparison follows the value: a number compares numerically, a
    /// string as text, a boolean as one; a member of another type matches nothing (like a missing value).
    /// </summary>
    private static (PlannedFilter?, QueryProblem?) PlanMemberFilter(DataFilter filter, FieldRef field, JsonElement value, string where, QueryLimits limits)
    {
        var op = SqlQueryCompiler.Name(filter.Operator);
        switch (filter.Operator)
        {
            case FilterOperator.In or FilterOperator.NotIn:
                if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() is 0 || value.GetArrayLength() > limits.MaxInValues)
                {
                    return Fail($"{op} takes an array of 1 to {limits.MaxInValues} values.");
                }
                MemberUse? kind = null;
                DataType kindType = default;
                var values = new List<object>();
                foreach (var item in value.EnumerateArray())
                {
                    var (typed, itemType, itemUse, problem) = MemberValue(item, field, limits);
                    if (problem is not null)
                    {
                        return Fail(problem);
                    }
                    if (kind is not null && kind != itemUse)
                    {
                        return Fail($"{op} on a member takes values of one kind: all numbers, all strings or all booleans.");
                    }
                    (kind, kindType) = (itemUse, itemType);
                    values.Add(typed!);
                }
                return (new PlannedFilter(field, filter.Operator, values.ToArray(), kindType, kind), null);

            case FilterOperator.Contains or FilterOperator.StartsWith:
            {
                if (value.ValueKind != JsonValueKind.String)
                {
                    return Fail($"{op} takes a string.");
                }
                var (typed, _, _, problem) = MemberValue(value, field, limits);
                return problem is null ? (new PlannedFilter(field, filter.Operator, typed!, DataType.Text, MemberUse.Text), null) : Fail(problem);
            }

            default:
            {
                var (typed, type, use, problem) = MemberValue(value, field, limits);
                if (problem is not null)
                {
                    return Fail(problem);
                }
                if (use == MemberUse.Boolean && filter.Operator is not (FilterOperator.Eq or FilterOperator.Ne))
                {
                    return Fail($"{op} does not apply to a boolean.");
                }
                return (new PlannedFilter(field, filter.Operator, typed!, type, use), null);
            }
        }

        (PlannedFilter?, QueryProblem?) Fail(string detail) => (null, new QueryProblem(where, detail));
    }

    private static (object? Value, DataType Type, MemberUse Use, string? Problem) MemberValue(JsonElement json, FieldRef field, QueryLimits limits)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Number when json.TryGetInt64(out var integer):
                return (integer, DataType.Integer, MemberUse.Number, null);
            case JsonValueKind.Number when json.TryGetDouble(out var number) && double.IsFinite(number):
                // Bound as a double: SQLite compares a JSON member with it numerically (a decimal would bind as text).
                return (number, DataType.Decimal, MemberUse.Number, null);
            case JsonValueKind.String:
                var text = json.GetString()!;
                return text.Length > limits.MaxValueLength
                    ? (null, default, default, $"Values are limited to {limits.MaxValueLength} characters.")
                    : (text, DataType.Text, MemberUse.Text, null);
            case JsonValueKind.True or JsonValueKind.False:
                return (json.GetBoolean(), DataType.Boolean, MemberUse.Boolean, null);
            case JsonValueKind.Null:
                return (null, default, default, $"Use {{\"is_null\": true}} to match a missing '{field.Name}'.");
            default:
                return (null, default, default, $"A member such as '{field.Name}' compares with a number, a string or a boolean.");
        }
    }

    private static ColumnSchema Output(FieldRef field) =>
        field.IsMember ? new ColumnSchema(field.Name, DataType.Json, true, "member") : field.Column with { Name = field.Name };

    private static string Shown(string text) => text.Length <= 80 ? text : text[..80] + "…";

    private static (QueryPlan?, QueryProblem?) Refuse(string field, string detail) => (null, new QueryProblem(field, detail));

    private sealed class Resolver(TableSchema table, Func<ColumnSchema, bool> supportsMembers)
    {
        public TableSchema Table => table;

        public (FieldRef? Field, QueryProblem? Problem) Resolve(string name, string where)
        {
            var (field, problem) = FieldPaths.Resolve(table, name, supportsMembers);
            return field is not null ? (field, null)
                : problem is not null ? (null, new QueryProblem(where, problem))
                : (null, new QueryProblem(where, SqlQueryCompiler.UnknownField(name, table)));
        }
    }
}
