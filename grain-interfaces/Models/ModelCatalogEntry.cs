namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.ModelCatalogEntry")]
public sealed record ModelCatalogEntry(
    [property: Id(0)] string ModelId,
    [property: Id(1)] string Name,
    [property: Id(2)] string Version,
    [property: Id(3)] string Provider,
    [property: Id(4)] string Owner,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] ModelStatus Status);
