namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.ModelCatalogState")]
public sealed class ModelCatalogState
{
    [Id(0)] public List<ModelCatalogEntry> Models { get; set; } = [];

    /// <summary>name → alias → model id.</summary>
    [Id(1)] public Dictionary<string, Dictionary<string, string>> Aliases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// name → owner of its first version, who alone (with admins) adds versions and moves aliases. Catalogs stored
    /// before this existed are filled in on activation from each name's oldest version.
    /// </summary>
    [Id(2)] public Dictionary<string, string> NameOwners { get; set; } = new(StringComparer.Ordinal);
}
