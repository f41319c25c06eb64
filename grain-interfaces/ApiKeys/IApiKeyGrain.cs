using Orleans.Concurrency;

namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// One API key, keyed by its key id (<c>key_…</c>). It owns the key's secret hash, permissions, rate-limit window and
/// quota counters, so a single call both authenticates and meters a request, and revocation is seen by the very
/// next request on any gateway.
/// </summary>
[Alias("mcp.apikey")]
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Creates the key; returns null when a key with this id already exists.</summary>
    [Alias("create")]
    Task<ApiKeyInfo?> CreateAsync(NewApiKey key);

    /// <summary>Creates or re-arms the configured bootstrap admin key (idempotent).</summary>
    [Alias("ensure-admin")]
    Task<ApiKeyInfo> EnsureBootstrapAdminAsync(NewApiKey key);

    [ReadOnly, Alias("get")]
    Task<ApiKeyInfo?> GetAsync();

    [Alias("authorize")]
    Task<AccessDecision> AuthorizeAsync(AccessRequest request);

    /// <summary>Revokes the key; returns false when there is no such key.</summary>
    [Alias("revoke")]
    Task<bool> RevokeAsync(string revokedBy);

    /// <summary>Replaces the secret; the old secret keeps working for <paramref name="gracePeriod"/>.</summary>
    [Alias("rotate")]
    Task<ApiKeyInfo?> RotateAsync(byte[] newSecretHash, string newKeyPrefix, TimeSpan gracePeriod);

    [ReadOnly, Alias("usage")]
    Task<ApiKeyUsage?> GetUsageAsync();

    /// <summary>
    /// The key if <paramref name="caller"/> may manage it, else null, exactly as for a missing key: an admin, or a key
    /// of the same owner holding every permission this one holds that is this key or created it (directly or through
    /// keys it created).
    /// </summary>
    [ReadOnly, Alias("get-for")]
    Task<ApiKeyInfo?> GetForAsync(ApiKeyCaller caller);

    /// <summary>The key's usage if <paramref name="caller"/> may manage it (see <see cref="GetForAsync"/>), else null.</summary>
    [ReadOnly, Alias("usage-for")]
    Task<ApiKeyUsage?> GetUsageForAsync(ApiKeyCaller caller);

    /// <summary>Revokes the key if <paramref name="caller"/> may manage it; the key as it now stands, or null when not.</summary>
    [Alias("revoke-for")]
    Task<ApiKeyInfo?> RevokeForAsync(ApiKeyCaller caller);

    /// <summary>
    /// Replaces the secret for <paramref name="caller"/>, who receives it: refused when the grace period is out of
    /// bounds, the caller may not manage the key, the key is revoked, or the key can do more than the caller's own.
    /// </summary>
    [Alias("rotate-for")]
    Task<KeyRotation> RotateForAsync(ApiKeyCaller caller, byte[] newSecretHash, string newKeyPrefix, TimeSpan gracePeriod, ApiKeyRules rules);

    /// <summary>
    /// Called on the creating key's own grain: decides the keys it asks for against <paramref name="rules"/> and, unless
    /// it holds admin, its own owner, permissions and limits (omitted limits are inherited, larger ones refused).
    /// All or nothing: the first refusal refuses the request.
    /// </summary>
    [ReadOnly, Alias("grant")]
    Task<ApiKeyGrant> GrantAsync(IReadOnlyList<ApiKeyGrantRequest> keys, ApiKeyRules rules);

    /// <summary>
    /// Sets aside <paramref name="tokens"/> against the key's token quotas before a completion starts, so concurrent
    /// completions can never overshoot them; refused whole when it does not fit.
    /// </summary>
    [Alias("reserve-tokens")]
    Task<TokenReservation> ReserveTokensAsync(string reservationId, long tokens);

    /// <summary>
    /// <see cref="AuthorizeAsync"/> and, when the request is allowed, <see cref="ReserveTokensAsync"/> in one turn: a
    /// completion costs the gateway one call before it streams. A request that is not allowed reserves nothing.
    /// </summary>
    [Alias("authorize-reserve")]
    Task<AuthorizedReservation> AuthorizeAndReserveAsync(AccessRequest request, string reservationId, long tokens);

    /// <summary>
    /// Extends an open reservation's lease and records what the completion has used so far, which is what the grain
    /// settles it at should the lease run out. An unknown id (already settled or expired) is ignored.
    /// </summary>
    [Alias("renew-tokens")]
    Task RenewTokensAsync(string reservationId, long promptTokens, long completionTokens);

    /// <summary>Replaces a reservation by what the completion really used and adds it to the key's token totals.</summary>
    [Alias("settle-tokens")]
    Task SettleTokensAsync(string reservationId, long promptTokens, long completionTokens);
}
