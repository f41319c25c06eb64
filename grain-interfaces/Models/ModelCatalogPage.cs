namespace Mcp.Cluster.Models;

[GenerateSerializer, Immutable, Alias("mcp.ModelCatalogPage")]
public sealed record ModelCatalogPage(
    [property: Id(0)] IReadOnlyList<ModelCatalogEntry> Models,
    [property: Id(1)] int Total);
