namespace Mcp.Cluster.DataSources;

/// <summary>
/// One condition of a query. <see cref="ValueJson"/> is the JSON value as the caller sent it (an array for
/// <c>in</c>/<c>not_in</c>); it is typed against the column when the query is compiled, where the schema is known.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataFilter")]
public sealed record DataFilter(
    [property: Id(0)] string Field,
    [property: Id(1)] FilterOperator Operator,
    [property: Id(2)] string ValueJson);
