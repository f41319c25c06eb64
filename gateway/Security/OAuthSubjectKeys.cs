using System.Collections.Concurrent;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Gateway.ApiKeys;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// A token holder is metered, rate limited and audited like a key holder by standing for it as a key: one key grain
/// per (issuer, subject, owner, permission set), made on first sight with the token's permissions and the configured
/// plan (<c>OAuth:RateLimit</c>, quotas), listed under the owner in the key directory. The grain's rules then apply
/// unchanged everywhere (what a caller may grant, manage or reach), and an admin who revokes that key shuts the subject
/// out until the key is re-created by nobody: a revoked id stays revoked. Its secret hash is an HMAC no presented key
/// can produce, so the key can only be used through a valid token.
/// </summary>
public sealed class OAuthSubjectKeys(
    IGrainFactory grains,
    ApiKeyHasher hasher,
    ApiKeyPolicy policy,
    IOptions<OAuthOptions> options,
    ILogger<OAuthSubjectKeys> logger)
{
    private const int MaxRemembered = 10_000;

    // Key ids known to exist, so a steady caller costs no extra grain call; losing it only costs one GetAsync.
    private readonly ConcurrentDictionary<string, byte> _known = new(StringComparer.Ordinal);

    public (string KeyId, byte[] SecretHash) For(OAuthTokenCaller caller)
    {
        // NUL never occurs in a header value, so none of these strings can be presented as an API key.
        var seed = hasher.Hash($"\0oauth-key\0{caller.Issuer}\0{caller.Subject}\0{caller.Owner}\0{(int)caller.Permissions}");
        var keyId = ApiKeyFormat.KeyIdFrom(seed);
        return (keyId, hasher.Hash($"\0oauth-secret\0{keyId}"));
    }

    /// <summary>Makes sure the caller's key exists (the first request of a new subject or permission set creates it).</summary>
    public async Task<(string KeyId, byte[] SecretHash)> EnsureAsync(OAuthTokenCaller caller)
    {
        var (keyId, hash) = For(caller);
        if (_known.ContainsKey(keyId))
        {
            return (keyId, hash);
        }
        var key = grains.GetGrain<IApiKeyGrain>(keyId);
        if (await key.GetAsync() is null)
        {
            var settings = options.Value;
            var rate = settings.RateLimit is { } text && RateLimit.TryParse(text, out var parsed, out _) ? parsed! : policy.DefaultRateLimit;
            var spec = new NewApiKey(caller.Owner, $"OAuth subject {caller.Subject} of {caller.Issuer}", caller.Permissions, rate,
                new QuotaLimits(settings.DailyQuota, settings.MonthlyQuota), null, hash, "oauth", "oauth");
            if (await key.CreateAsync(spec) is not null)
            {
                logger.LogInformation("Key {KeyId} stands for OAuth subject {Subject} (owner {Owner}, {Permissions})",
                    keyId, caller.Subject, caller.Owner, caller.Permissions);
            }
            await grains.GetGrain<IApiKeyDirectoryGrain>(IApiKeyDirectoryGrain.Global)
                .AddAsync([new ApiKeyDirectoryEntry(keyId, caller.Owner, caller.Permissions, "oauth")]);
        }
        if (_known.Count >= MaxRemembered)
        {
            _known.Clear();
        }
        _known.TryAdd(keyId, 0);
        return (keyId, hash);
    }
}
