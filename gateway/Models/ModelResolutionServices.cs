namespace Mcp.Cluster.Gateway.Models;

public static class ModelResolutionServices
{
    /// <summary>The gateway's one <see cref="ModelResolver"/> and its cache (kept by <c>CatalogChangeListener</c>).</summary>
    public static IServiceCollection AddModelResolution(this IServiceCollection services)
    {
        services.AddSingleton<ModelNameCache>();
        services.AddSingleton<ModelResolver>();
        return services;
    }
}
