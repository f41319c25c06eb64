using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>The authenticated caller of a request, as the key grain reported it.</summary>
public sealed record ApiKeyPrincipal(string KeyId, string Owner, Permissions Permissions)
{
    public bool IsAdmin => Permissions.HasFlag(Permissions.Admin);

    /// <summary>
    /// The keyed hash of the key as presented, so long-lived connections (WebSockets) can re-authorize each request
    /// they carry, which meters it and notices a revocation.
    /// </summary>
    public byte[] PresentedKeyHash { get; init; } = [];

    /// <summary>
    /// Set on a <see cref="ReservesTokens"/> route until the completion runner asks the key grain: the key was only
    /// seen to be well formed, so <see cref="Owner"/> and <see cref="Permissions"/> are not known yet.
    /// </summary>
    public PendingApiKeyAuthorization? Pending { get; init; }

    /// <summary>
    /// Admins see everything; others only keys of their own owner that hold no permission the caller lacks, so reading,
    /// rotating (which hands out the new secret) or revoking a key never reaches beyond the caller's own power.
    /// </summary>
    public bool CanManage(ApiKeyInfo key) =>
        IsAdmin || (string.Equals(key.Owner, Owner, StringComparison.Ordinal) && (key.Permissions & ~Permissions) == 0);
}
