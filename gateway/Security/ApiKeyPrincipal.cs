using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>The authenticated caller of a request, as the key grain reported it.</summary>
public sealed record ApiKeyPrincipal(string KeyId, string Owner, Permissions Permissions)
{
    public bool IsAdmin => Permissions.HasFlag(Permissions.Admin);

    /// <summary>Admins see everything; others only keys of their own owner.</summary>
    public bool CanManage(ApiKeyInfo key) => IsAdmin || string.Equals(key.Owner, Owner, StringComparison.Ordinal);
}
