using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace Mcp.Cluster.Hosting;

public static class SiloBuilderExtensions
{
    /// <summary>
    /// Configures a silo for the mode chosen in <c>Cluster:Mode</c>. Both the standalone silo and the gateway's
    /// co-hosted silo go through here so they can never drift apart.
    /// </summary>
    public static ISiloBuilder UseMcpCluster(this ISiloBuilder silo, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>() ?? new McpClusterOptions();
        switch (cluster.Mode)
        {
            case ClusterMode.Local:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                break;
            case ClusterMode.Postgres:
                throw new NotSupportedException(
                    "Cluster:Mode=Postgres is not available in this build yet; run with Cluster:Mode=Local (the default).");
            default:
                throw new InvalidOperationException($"Unknown Cluster:Mode '{cluster.Mode}'. Use Local or Postgres.");
        }

        silo.Services.AddMcpSiloServices(configuration, cluster);
        return silo;
    }

    /// <summary>Grain storage and the options grains read; everything a silo needs besides clustering.</summary>
    public static IServiceCollection AddMcpSiloServices(this IServiceCollection services, IConfiguration configuration, McpClusterOptions cluster)
    {
        if (cluster.Mode == ClusterMode.Local)
        {
            var storage = configuration.GetSection("Storage:Sqlite").Get<SqliteStorageOptions>() ?? new SqliteStorageOptions();
            if (configuration["Storage:Sqlite:DatabasePath"] is null)
            {
                storage.DatabasePath = Path.Combine(cluster.DataDirectory, "grains.db");
            }
            services.AddSqliteGrainStorage(StorageNames.Default, storage);
        }
        services.Configure<ApiKeyGrainOptions>(configuration.GetSection(ApiKeyGrainOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }
}
