using Mcp.Cluster.Gateway.Health;
using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.McpProtocol;

public static class McpNotificationServices
{
    /// <summary>
    /// The catalog-change subscription that notifies MCP sessions (<see cref="CatalogChangeListener"/>), its state and
    /// the readiness check that reports it.
    /// </summary>
    public static IServiceCollection AddMcpNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<McpNotificationOptions>(configuration, McpNotificationOptions.Section);
        services.AddSingleton<CatalogSubscriptionStatus>();
        services.AddSingleton<CatalogChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<CatalogChangeListener>());
        services.AddHealthChecks()
            .AddCheck<CatalogSubscriptionHealthCheck>(CatalogSubscriptionHealthCheck.Name, tags: [HealthEndpoints.ReadinessTag]);
        return services;
    }
}
