using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Generates secrets and hands their hashes to key grains. The only place a plaintext key is created.</summary>
public sealed class ApiKeyIssuer(IGrainFactory grains, ApiKeyHasher hasher)
{
    public async Task<(ApiKeyInfo Key, string ApiKey)> IssueAsync(ApiKeyDraft draft, string createdBy) =>
        (await IssueAsync([draft], createdBy))[0];

    /// <summary>
    /// Issues a key to a caller who presented none. Self-service starts a new owner namespace and never joins one that
    /// exists: the name is claimed first, so of two strangers racing for it only one gets a key.
    /// </summary>
    public async Task<((ApiKeyInfo Key, string ApiKey)? Issued, OwnerClaim Claim)> IssueSelfServiceAsync(ApiKeyDraft draft)
    {
        var claim = await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global).ClaimOwnerAsync(draft.Owner);
        return claim == OwnerClaim.Claimed ? (await IssueAsync(draft, "self-service"), claim) : (null, claim);
    }

    /// <summary>Creates the keys concurrently, then indexes them with one directory write.</summary>
    public async Task<(ApiKeyInfo Key, string ApiKey)[]> IssueAsync(IReadOnlyList<ApiKeyDraft> drafts, string createdBy)
    {
        var issued = await Task.WhenAll(drafts.Select(draft => CreateAsync(draft, createdBy)));
        await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global)
            .AddAsync([.. issued.Select(k => new ApiKeyDirectoryEntry(k.Key.KeyId, k.Key.Owner, k.Key.Permissions, k.Key.CreatedBy))]);
        return issued;
    }

    private async Task<(ApiKeyInfo Key, string ApiKey)> CreateAsync(ApiKeyDraft draft, string createdBy)
    {
        // 80 random bits of id make a collision practically impossible; retrying keeps it impossible in effect.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var (keyId, apiKey) = ApiKeyFormat.Generate();
            var spec = new NewApiKey(draft.Owner, draft.Description, draft.Permissions, draft.RateLimit, draft.Quotas, draft.ExpiresAt,
                hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), createdBy, draft.Tokens);
            var created = await grains.GetGrain<IApiKeyGrain>(keyId).CreateAsync(spec);
            if (created is not null)
            {
                return (created, apiKey);
            }
        }
        throw new InvalidOperationException("Could not allocate a unique API key id.");
    }

    public async Task<(ApiKeyInfo Key, string ApiKey)?> RotateAsync(string keyId, TimeSpan gracePeriod)
    {
        var apiKey = ApiKeyFormat.Regenerate(keyId);
        var rotated = await grains.GetGrain<IApiKeyGrain>(keyId)
            .RotateAsync(hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), gracePeriod);
        return rotated is null ? null : (rotated, apiKey);
    }
}
