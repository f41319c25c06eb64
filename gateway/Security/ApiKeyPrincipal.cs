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

    /// <summary>This key as the caller of a management request; the key grains decide from it what it may manage.</summary>
    public ApiKeyCaller Caller => new(KeyId, Owner, Permissions);
}
