namespace Mcp.Cluster.Catalogs;

/// <summary>The kinds of <see cref="INameCatalogGrain"/>.</summary>
public static class NameCatalogs
{
    public const string DataSources = "datasources";
    public const string Prompts = "prompts";
    public const string Integrations = "integrations";
    public const string AlertChannels = "alert-channels";
}
