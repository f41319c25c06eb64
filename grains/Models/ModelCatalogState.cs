namespace Mcp.Cluster.Models;

[GenerateSerializer]
public sealed class ModelCatalogState
{
    [Id(0)] public List<ModelCatalogEntry> Models { get; set; } = [];

    /// <summary>name → alias → model id.</summary>
    [Id(1)] public Dictionary<string, Dictionary<string, string>> Aliases { get; set; } = new(StringComparer.Ordinal);
}
