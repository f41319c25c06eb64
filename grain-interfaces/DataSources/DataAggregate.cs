namespace Mcp.Cluster.DataSources;

/// <summary>
/// One computed column of an aggregate query: <c>count</c> (of rows, or of non-null <see cref="Field"/> values) or
/// <c>sum</c>/<c>avg</c>/<c>min</c>/<c>max</c> of a field. <see cref="As"/> names the answer's column (default
/// <c>count</c>, or the function and the field with dots as underscores: <c>avg_salary_range_max</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataAggregate")]
public sealed record DataAggregate(
    [property: Id(0)] AggregateFunction Function,
    [property: Id(1)] string? Field = null,
    [property: Id(2)] string? As = null);
