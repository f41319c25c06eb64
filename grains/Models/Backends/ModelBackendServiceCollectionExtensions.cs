using Microsoft.Extensions.DependencyInjection;

namespace Mcp.Cluster.Models.Backends;

public static class ModelBackendServiceCollectionExtensions
{
    /// <summary>Makes <typeparamref name="TBackend"/> available as <c>provider: "<paramref name="provider"/>"</c>.</summary>
    public static IServiceCollection AddModelBackend<TBackend>(this IServiceCollection services, string provider)
        where TBackend : ModelBackend =>
        services.AddSingleton(new ModelBackendRegistration(provider, typeof(TBackend)));
}
