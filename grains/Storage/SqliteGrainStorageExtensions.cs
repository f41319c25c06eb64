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
            new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()),
            sp.GetRequiredService<ILogger<SqliteGrainStorage>>()));
        services.AddSingleton<IStorageHealthProbe>(sp => (SqliteGrainStorage)sp.GetRequiredKeyedService<IGrainStorage>(name));
        return services;
    }
}
