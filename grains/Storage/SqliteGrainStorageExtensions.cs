using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Storage;

public static class SqliteGrainStorageExtensions
{
    public static IServiceCollection AddSqliteGrainStorage(this IServiceCollection services, string name, SqliteStorageOptions options)
    {
        services.AddGrainStorage(name, (sp, storageName) => new SqliteGrainStorage(
            storageName,
            options,
            // SQLite files written before the marked format hold Orleans' binary format without the marker.
            new GrainStateSerializer(sp.GetRequiredService<Serializer>(), new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>())),
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        services.AddSingleton<IStorageHealthProbe>(sp => (SqliteGrainStorage)sp.GetRequiredKeyedService<IGrainStorage>(name));
        return services;
    }
}
