using Orleans.Concurrency;

namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The cluster-wide index of key ids by owner, used for listing. It is never on the authentication path.
/// There is one instance, keyed <see cref="Global"/>.
/// </summary>
[Alias("mcp.apikey-directory")]
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    public const string Global = "global";

    /// <summary>Indexes keys; ids already indexed are ignored. One storage write however many entries.</summary>
    [Alias("add")]
    Task AddAsync(IReadOnlyList<ApiKeyDirectoryEntry> entries);

    /// <summary>Key ids in creation order, optionally only those of <paramref name="owner"/>.</summary>
    [ReadOnly, Alias("list")]
    Task<ApiKeyPage> ListAsync(string? owner, int offset, int limit);

    /// <summary>Records <paramref name="keyId"/> as the generated bootstrap admin key unless one is recorded already.</summary>
    [Alias("claim-bootstrap")]
    Task<bool> TryClaimBootstrapAdminAsync(string keyId);

    [ReadOnly, Alias("bootstrap")]
    Task<string?> GetBootstrapAdminKeyIdAsync();
}
