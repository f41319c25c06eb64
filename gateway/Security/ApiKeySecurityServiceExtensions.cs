using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;

namespace Mcp.Cluster.Gateway.Security;

public static class ApiKeySecurityServiceExtensions
{
    /// <summary>The <c>ApiKey</c> scheme as the default, its requirement handler and the writer of refusals.</summary>
    public static IServiceCollection AddApiKeySecurity(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationDefaults.Scheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationDefaults.Scheme, null);
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ApiKeyAuthorizationHandler>();
        services.AddSingleton<ApiKeyRefusalWriter>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiKeyRefusalResultHandler>();
        return services;
    }
}
