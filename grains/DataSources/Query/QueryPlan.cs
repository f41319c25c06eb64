namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// A query checked against a table, every field resolved and every value typed: what the SQL compiler writes out and
/// what the in-memory engine runs, so both refuse and accept exactly the same queries. <see cref="Select"/> is the
/// projection, or the group fields of an aggregate query; <see cref="Columns"/> are the answer's columns in order.
/// </summary>
public sealed record QueryPlan(
    TableSchema Table,
    IReadOnlyList<FieldRef> Select,
    bool IsAggregate,
    IReadOnlyList<PlannedAggregate> Aggregates,
    IReadOnlyList<PlannedFilter> Filters,
    IReadOnlyList<PlannedOrder> Order,
    IReadOnlyList<ColumnSchema> Columns,
    int Limit,
    int Offset);

/// <summary>
/// A filter with its value typed: for a column by its type (an array for in/not_in, a bool for is_null, the text
/// for contains/starts_with); for a member by the value's JSON kind, which <see cref="Member"/> names.
/// </summary>
public sealed record PlannedFilter(FieldRef Field, FilterOperator Operator, object Value, DataType ValueType, MemberUse? Member);

/// <summary>One computed column; <see cref="Field"/> is null for a count of rows. A member is aggregated as a number.</summary>
public sealed record PlannedAggregate(AggregateFunction Function, FieldRef? Field, string Name, DataType Type);

/// <summary>
/// A sort key: a field (row queries) or the answer's column at <see cref="Output"/> (aggregate queries, where the
/// key is a group field or an aggregate).
/// </summary>
public sealed record PlannedOrder(FieldRef? Field, int Output, bool Descending);
