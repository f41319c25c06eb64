namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.ModelQuery")]
public sealed record ModelQuery(
    [property: Id(0)] string? Name,
    [property: Id(1)] string? Provider,
    [property: Id(2)] ModelStatus? Status,
    [property: Id(3)] int Offset,
    [property: Id(4)] int Limit);
