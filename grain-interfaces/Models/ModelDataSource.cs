namespace Mcp.Cluster.Models;

/// <summary>A data source a model declared at registration; it may read only these.</summary>
[GenerateSerializer, Immutable, Alias("mcp.ModelDataSource")]
public sealed record ModelDataSource(
    [property: Id(0)] string Name,
    [property: Id(1)] string AccessType,
    [property: Id(2)] IReadOnlyList<string>? RequiredFields,
    [property: Id(3)] string? SnowflakeTable);
