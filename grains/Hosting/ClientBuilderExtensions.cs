using Mcp.Cluster.Hosting.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Configuration;

namespace Mcp.Cluster.Hosting;

public static class ClientBuilderExtensions
{
    /// <summary>
    /// A gateway that runs beside the silos rather than hosting one (Cluster:Mode=Postgres): it finds silos through the
    /// membership table the silos write and sends grain calls to their gateway ports.
    /// </summary>
    public static IClientBuilder UseMcpClusterClient(this IClientBuilder client, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(McpClusterOptions.Section).Get<McpClusterOptions>() ?? new McpClusterOptions();
        if (cluster.Mode != ClusterMode.Postgres)
        {
            throw new InvalidOperationException("Only Cluster:Mode=Postgres runs the gateway as a separate Orleans client.");
        }
        var connectionString = cluster.Postgres.RequireConnectionString();
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        client.UseAdoNetClustering(o =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = connectionString;
        });
        client.AddMemoryStreams(Changes.ChangeStreams.Provider);
        var dashboard = DashboardSettings.From(configuration);
        if (dashboard.Enabled)
        {
            Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(client, dashboard.Apply);
        }
        client.Services.AddMcpOptions<McpClusterOptions>(configuration, McpClusterOptions.Section);
        // The one clock of a gateway that hosts no silo; a co-hosted silo registers it in AddMcpClusterServices.
        client.Services.TryAddSingleton(TimeProvider.System);
        client.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>, PostgresSchemaCheck>();
        return client;
    }
}
