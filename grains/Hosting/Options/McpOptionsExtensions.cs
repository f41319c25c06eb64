using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Hosting;

public static class McpOptionsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and checks its validation attributes when the
    /// host starts: a bad setting stops the process with a message naming it, instead of failing later in a grain.
    /// Returns the builder, so cross-field rules can be added with <c>Validate</c>.
    /// </summary>
    public static OptionsBuilder<TOptions> AddMcpOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SettingsValidator<TOptions>(section)));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
