using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Hands a refused genuine key's answer to <see cref="ApiKeyRefusalWriter"/>. Everything else (the 401 challenge
/// included) goes to the framework's handler, which calls the scheme.
/// </summary>
public sealed class ApiKeyRefusalResultHandler(ApiKeyRefusalWriter writer) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure?.FailureReasons.OfType<ApiKeyRefusal>().FirstOrDefault() is { } refusal)
        {
            return writer.WriteAsync(context, refusal.Access);
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
