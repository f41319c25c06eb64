namespace Mcp.Cluster.DataSources.Insights;

/// <summary>A filter of a query shape: the field and the operator, never the value.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataShapeFilter")]
public sealed record DataShapeFilter(
    [property: Id(0)] string Field,
    [property: Id(1)] FilterOperator Operator);
