using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>
/// One condition of a structured query: <c>{field, op, value}</c> with <see cref="Op"/> one of <c>eq</c>, <c>ne</c>,
/// <c>lt</c>, <c>lte</c>, <c>gt</c>, <c>gte</c>, <c>in</c>, <c>not_in</c>, <c>contains</c>, <c>starts_with</c>,
/// <c>is_null</c>. A field may name an object member by path (<c>salary_range.max</c>); an <c>eq</c> on a date field
/// may be a period (<c>last_6m</c>, <c>today</c>, <c>this_month</c>…).
/// </summary>
public sealed record QueryFilter(string Field, string Op, JsonElement Value)
{
    /// <summary>A filter whose value is a string, number, boolean, date or a list of them.</summary>
    public static QueryFilter Create(string field, string op, object? value) => new(field, op, JsonValues.From(value));

    public static QueryFilter Eq(string field, object? value) => Create(field, "eq", value);

    public static QueryFilter Gt(string field, object? value) => Create(field, "gt", value);

    public static QueryFilter Lt(string field, object? value) => Create(field, "lt", value);

    public static QueryFilter Contains(string field, string value) => Create(field, "contains", value);

    public static QueryFilter In(string field, params object?[] values) => Create(field, "in", values);
}
