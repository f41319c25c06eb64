using Mcp.Cluster.Hosting.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Storage;

public static class PostgresGrainStorageExtensions
{
    /// <summary>
    /// Orleans' ADO.NET grain storage on PostgreSQL (our schema, deploy/postgres/schema.sql), storing the same format as
    /// the SQLite mode and writing a snapshot taken on the grain's thread. This registers what
    /// <c>AddAdoNetGrainStorage</c> registers, except that the storage itself is wrapped.
    /// </summary>
    public static IServiceCollection AddPostgresGrainStorage(this IServiceCollection services, string name, string connectionString)
    {
        services.AddOptions<AdoNetGrainStorageOptions>(name).Configure<IServiceProvider>((o, sp) =>
        {
            o.Invariant = PostgresClusterOptions.Invariant;
            o.ConnectionString = connectionString;
            // Rows written before the marked format hold Orleans' default for this storage: Newtonsoft JSON.
            o.GrainStorageSerializer = new GrainStateSerializer(
                sp.GetRequiredService<Serializer>(),
                new JsonGrainStorageSerializer(sp.GetRequiredService<OrleansJsonSerializer>()));
        });
        services.ConfigureNamedOptionForLogging<AdoNetGrainStorageOptions>(name);
        services.AddTransient<IPostConfigureOptions<AdoNetGrainStorageOptions>, DefaultAdoNetGrainStorageOptionsHashPickerConfigurator>();
        services.AddTransient<IConfigurationValidator>(sp => new AdoNetGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<AdoNetGrainStorageOptions>>().Get(name), name));
        return services.AddGrainStorage(name, (sp, storageName) => new SnapshotGrainStorage(
            AdoNetGrainStorageFactory.Create(sp, storageName), sp.GetRequiredService<DeepCopier>()));
    }
}
