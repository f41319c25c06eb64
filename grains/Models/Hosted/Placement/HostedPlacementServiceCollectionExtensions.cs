using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted.Placement;

public static class HostedPlacementServiceCollectionExtensions
{
    /// <summary>
    /// A silo's part in hosted-model placement: its declared resources (validated at start), the announcer that
    /// declares them to the ledger, the ledger's settings, and the director that places sessions where it decided.
    /// </summary>
    public static IServiceCollection AddHostedModelPlacement(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<SiloResourceOptions>(configuration, SiloResourceOptions.Section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloResourceOptions>, SiloResourceOptionsValidator>());
        services.AddMcpOptions<ModelPlacementOptions>(configuration, ModelPlacementOptions.Section);
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloResourceAnnouncer>();
        services.AddPlacementDirector<HostedModelPlacement, HostedModelPlacementDirector>();
        return services;
    }
}
