using System.Security.Claims;
using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>Who a validated access token speaks for: its issuer and subject, the owner and permissions its claims map to.</summary>
public sealed record OAuthTokenCaller(string Issuer, string Subject, string Owner, Permissions Permissions)
{
    private const int MaxOwnerLength = 128;
    private const int MaxSubjectLength = 255;

    /// <summary>The caller, or why the token cannot stand for one (the 401's description).</summary>
    public static (OAuthTokenCaller? Caller, string? Problem) From(ClaimsPrincipal principal, OAuthOptions options)
    {
        var subject = principal.FindFirst("sub")?.Value;
        if (string.IsNullOrWhiteSpace(subject) || subject.Length > MaxSubjectLength)
        {
            return (null, "The access token names no subject (sub).");
        }
        var name = principal.FindFirst(options.OwnerClaim)?.Value?.Trim();
        var owner = options.OwnerPrefix + name;
        if (string.IsNullOrEmpty(name) || owner.Length > MaxOwnerLength || !OwnerNames.IsPrintable(owner))
        {
            return (null, $"The access token's {options.OwnerClaim} claim is not a usable owner name (1 to {MaxOwnerLength} printable characters).");
        }
        var values = principal.FindAll(options.PermissionClaim)
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var issuer = principal.FindFirst("iss")?.Value ?? options.EffectiveIssuer;
        return (new OAuthTokenCaller(issuer, subject, owner, options.PermissionsFor(values)), null);
    }
}
