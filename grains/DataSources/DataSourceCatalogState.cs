namespace Mcp.Cluster.DataSources;

[GenerateSerializer]
public sealed class DataSourceCatalogState
{
    [Id(0)] public HashSet<string> Names { get; set; } = new(StringComparer.Ordinal);
}
