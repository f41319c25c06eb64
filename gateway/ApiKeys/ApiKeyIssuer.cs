using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Generates secrets and hands their hashes to key grains. The only place a plaintext key is created.</summary>
public sealed class ApiKeyIssuer(IGrainFactory grains, ApiKeyHasher hasher)
{
    public async Task<(ApiKeyInfo Key, string ApiKey)> IssueAsync(ApiKeyTerms terms, string createdBy) =>
        (await IssueAsync([terms], createdBy))[0];

    /// <summary>Creates keys granted by a key grain (or the directory, for self-service) concurrently, then indexes them with one directory write.</summary>
    public async Task<(ApiKeyInfo Key, string ApiKey)[]> IssueAsync(IReadOnlyList<ApiKeyTerms> drafts, string createdBy)
    {
        var issued = await Task.WhenAll(drafts.Select(draft => CreateAsync(draft, createdBy)));
        await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global)
            .AddAsync([.. issued.Select(k => new ApiKeyDirectoryEntry(k.Key.KeyId, k.Key.Owner, k.Key.Permissions, k.Key.CreatedBy))]);
        return issued;
    }

    private async Task<(ApiKeyInfo Key, string ApiKey)> CreateAsync(ApiKeyTerms draft, string createdBy)
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

    /// <summary>
    /// Asks the key's grain to rotate it for <paramref name="caller"/> with a fresh secret; the grain decides whether the
    /// caller may. The secret is returned only with a key that was rotated.
    /// </summary>
    public async Task<(KeyRotation Rotation, string? ApiKey)> RotateAsync(string keyId, ApiKeyCaller caller, TimeSpan gracePeriod, ApiKeyRules rules)
    {
        var apiKey = ApiKeyFormat.Regenerate(keyId);
        var rotation = await grains.GetGrain<IApiKeyGrain>(keyId)
            .RotateForAsync(caller, hasher.Hash(apiKey), ApiKeyFormat.DisplayPrefix(apiKey), gracePeriod, rules);
        return (rotation, rotation.Outcome == RotationOutcome.Rotated ? apiKey : null);
    }
}
