using Mcp.Cluster.ApiKeys;
using Microsoft.AspNetCore.Authorization;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Decides <see cref="ApiKeyRequirement"/> from the answer the authentication handler already has: the grain judged
/// permission, rate limit and quota in that same call, so nothing is asked twice and no rule is repeated here.
/// </summary>
public sealed class ApiKeyAuthorizationHandler : AuthorizationHandler<ApiKeyRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiKeyRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var access = http?.Features.Get<ApiKeyAccess>();
        if (access is null && http?.Features.Get<ApiKeyPrincipal>() is { Pending: not null })
        {
            // A well-formed key on a ReservesTokens route: the runner's one grain call decides, before anything streams.
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        if (access is null)
        {
            // No genuine key: fine where anonymous callers are welcome, unless a key was sent and failed (401 then).
            if (requirement.AllowAnonymous && http is not null && PresentedApiKey.Read(http.Request, requirement.Browser) is null)
            {
                context.Succeed(requirement);
            }
            return Task.CompletedTask;
        }
        if (access.Decision.Outcome == AccessOutcome.Allowed && !access.Oversize)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new ApiKeyRefusal(this, access));
        }
        return Task.CompletedTask;
    }
}
