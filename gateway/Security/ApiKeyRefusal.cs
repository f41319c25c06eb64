using Microsoft.AspNetCore.Authorization;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>Why a genuine key was refused: the grain's answer for this request, written out by <see cref="ApiKeyRefusalResultHandler"/>.</summary>
public sealed class ApiKeyRefusal(IAuthorizationHandler handler, ApiKeyAccess access)
    : AuthorizationFailureReason(handler, access.Decision.Outcome.ToString())
{
    public ApiKeyAccess Access { get; } = access;
}
