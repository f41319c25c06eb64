using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mcp.Cluster.DataSources.Execution;

public static class DataSourceExecutionServices
{
    /// <summary>The per-silo pieces the data source executors share: policies and connectors, the usage batcher, the change listener.</summary>
    public static IServiceCollection AddDataSourceExecution(this IServiceCollection services)
    {
        services.TryAddSingleton<DataSourceRuntime>();
        services.TryAddSingleton<DataUsageReporter>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DataUsageReporter>());
        services.TryAddSingleton<Insights.DataInsightsRecorder>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<Insights.DataInsightsRecorder>());
        services.TryAddSingleton<DataPolicyChangeListener>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<DataPolicyChangeListener>());
        return services;
    }
}
