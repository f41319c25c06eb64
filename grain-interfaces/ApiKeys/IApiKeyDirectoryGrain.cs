using Orleans.Concurrency;

namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The cluster-wide index of key ids by owner, used for listing, and the registry of owner names, which decides who
/// may start a new owner namespace. It is never on the authentication path. There is one instance, keyed
/// <see cref="Global"/>.
/// </summary>
[Alias("mcp.apikey-directory")]
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    public const string Global = "global";

    /// <summary>Indexes keys; ids already indexed are ignored. One storage write however many entries.</summary>
    [Alias("add")]
    Task AddAsync(IReadOnlyList<ApiKeyDirectoryEntry> entries);

    /// <summary>
    /// Key ids in creation order, optionally only those of <paramref name="owner"/>; when <paramref name="within"/> is
    /// given, only keys holding no permission outside it; when <paramref name="under"/> is given, only that key and the
    /// keys it created, directly or through keys it created.
    /// </summary>
    [ReadOnly, Alias("list-under")]
    Task<ApiKeyPage> ListAsync(string? owner, Permissions? within, string? under, int offset, int limit);

    /// <summary>
    /// The keys <paramref name="caller"/> may see, optionally only those of <paramref name="owner"/>: every key for an
    /// admin; for others only keys of their own owner holding no permission the caller lacks that are the caller or
    /// descend from it. Null when a non-admin asks for another owner's keys.
    /// </summary>
    [ReadOnly, Alias("list-for")]
    Task<ApiKeyPage?> ListForAsync(ApiKeyCaller caller, string? owner, int offset, int limit);

    /// <summary>Whether <paramref name="keyId"/> is <paramref name="ancestorKeyId"/> or was created by it, directly or through keys it created.</summary>
    [ReadOnly, Alias("descends-from")]
    Task<bool> DescendsFromAsync(string keyId, string ancestorKeyId);

    /// <summary>
    /// Starts a new owner namespace for a caller who belongs to none yet (self-service). An owner is taken once any key
    /// was ever issued for it, or it was claimed or reserved before, compared by <see cref="OwnerNames.Fold"/>.
    /// </summary>
    [Alias("claim-owner")]
    Task<OwnerClaim> ClaimOwnerAsync(string owner);

    /// <summary>
    /// Self-service: decides a key asked for without one (never admin, never a rate limit above the default) and, when
    /// it may be granted, claims its owner as <see cref="ClaimOwnerAsync"/> does, in one turn.
    /// </summary>
    [Alias("grant-self-service")]
    Task<ApiKeyGrant> GrantSelfServiceAsync(ApiKeyGrantRequest key, ApiKeyRules rules);

    /// <summary>Marks an owner as in use without a key (an admin granted it something), so nobody can claim it later.</summary>
    [Alias("reserve-owner")]
    Task ReserveOwnerAsync(string owner);

    /// <summary>Records <paramref name="keyId"/> as the generated bootstrap admin key unless one is recorded already.</summary>
    [Alias("claim-bootstrap")]
    Task<bool> TryClaimBootstrapAdminAsync(string keyId);

    [ReadOnly, Alias("bootstrap")]
    Task<string?> GetBootstrapAdminKeyIdAsync();
}
