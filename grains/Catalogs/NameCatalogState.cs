namespace Mcp.Cluster.Catalogs;

[GenerateSerializer, Alias("mcp.NameCatalogState")]
public sealed class NameCatalogState
{
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
