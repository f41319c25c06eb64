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
