using Mcp.Cluster.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.ApiKeys;

[GrainType("apikeydirectory")]
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("apikey-directory", StorageNames.Default)] IPersistentState<ApiKeyDirectoryState> directory,
    [FromKeyedServices(ApiKeyGrain.Clock)] TimeProvider time,
    ILogger<ApiKeyDirectoryGrain> logger)
    : Grain, IApiKeyDirectoryGrain
{
    private readonly Dictionary<string, List<int>> _byOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownersInUse = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await FillInPermissionsAsync();
        for (var i = 0; i < directory.State.Keys.Count; i++)
        {
            Index(i);
        }
        _ownersInUse.UnionWith(directory.State.ClaimedOwners);
    }

    public async Task AddAsync(IReadOnlyList<ApiKeyDirectoryEntry> entries)
    {
        var added = false;
        foreach (var entry in entries)
        {
            if (!_positions.ContainsKey(entry.KeyId))
            {
                directory.State.Keys.Add(entry);
                Index(directory.State.Keys.Count - 1);
                directory.State.ClaimedOwners.Remove(OwnerNames.Fold(entry.Owner));
                added = true;
            }
        }
        if (added)
        {
            await directory.WriteStateAsync();
        }
    }

    public Task<ApiKeyPage> ListAsync(string? owner, Permissions? within, string? under, int offset, int limit)
    {
        var keys = directory.State.Keys;
        IEnumerable<ApiKeyDirectoryEntry> source = owner is null
            ? keys
            : _byOwner.TryGetValue(owner, out var positions) ? positions.Select(i => keys[i]) : [];
        if (within is { } held)
        {
            // A key more powerful than the caller is invisible to it, so listing never shows what managing would refuse.
            source = source.Where(e => e.Permissions is { } p && (p & ~held) == 0);
        }
        if (under is not null)
        {
            source = source.Where(e => Descends(e.KeyId, under));
        }
        var matching = source.ToList();
        var page = matching.Skip(Math.Max(0, offset)).Take(Math.Max(0, limit)).Select(e => e.KeyId).ToArray();
        return Task.FromResult(new ApiKeyPage(page, matching.Count));
    }

    public async Task<ApiKeyPage?> ListForAsync(ApiKeyCaller caller, string? owner, int offset, int limit) =>
        caller.IsAdmin ? await ListAsync(owner, null, null, offset, limit)
        : owner is not null && !string.Equals(owner, caller.Owner, StringComparison.Ordinal) ? null
        : await ListAsync(caller.Owner, caller.Permissions, caller.KeyId, offset, limit);

    public Task<bool> DescendsFromAsync(string keyId, string ancestorKeyId) => Task.FromResult(Descends(keyId, ancestorKeyId));

    public async Task<OwnerClaim> ClaimOwnerAsync(string owner)
    {
        if (OwnerNames.IsReserved(owner))
        {
            return OwnerClaim.Reserved;
        }
        var folded = OwnerNames.Fold(owner);
        if (!_ownersInUse.Add(folded))
        {
            return OwnerClaim.Taken;
        }
        directory.State.ClaimedOwners.Add(folded);
        await directory.WriteStateAsync();
        return OwnerClaim.Claimed;
    }

    public async Task<ApiKeyGrant> GrantSelfServiceAsync(ApiKeyGrantRequest key, ApiKeyRules rules)
    {
        var grant = ApiKeyGrants.Decide([key], null, rules, time.GetUtcNow());
        // The owner is claimed only for a key that may be granted, so a refused request never takes a name.
        return grant.Refusal is not null ? grant : grant with { Claim = await ClaimOwnerAsync(key.Owner) };
    }

    public async Task ReserveOwnerAsync(string owner)
    {
        var folded = OwnerNames.Fold(owner);
        if (_ownersInUse.Add(folded))
        {
            directory.State.ClaimedOwners.Add(folded);
            await directory.WriteStateAsync();
        }
    }

    public async Task<bool> TryClaimBootstrapAdminAsync(string keyId)
    {
        if (directory.State.BootstrapAdminKeyId is not null)
        {
            return false;
        }
        directory.State.BootstrapAdminKeyId = keyId;
        await directory.WriteStateAsync();
        return true;
    }

    public Task<string?> GetBootstrapAdminKeyIdAsync() => Task.FromResult(directory.State.BootstrapAdminKeyId);

    /// <summary>
    /// Follows the creators of <paramref name="keyId"/> up to a key nobody indexed created (self-service, the
    /// bootstrap, configuration). Rights over a key come only from the keys it descends from, so a key joining an owner
    /// (an admin issuing one for a name a stranger started) never falls to the keys that were there first.
    /// </summary>
    private bool Descends(string keyId, string ancestorKeyId)
    {
        var current = keyId;
        for (var depth = 0; depth <= directory.State.Keys.Count; depth++)
        {
            if (string.Equals(current, ancestorKeyId, StringComparison.Ordinal))
            {
                return true;
            }
            if (!_positions.TryGetValue(current, out var position) || directory.State.Keys[position].CreatedBy is not { } creator)
            {
                return false;
            }
            current = creator;
        }
        return false;
    }

    private void Index(int position)
    {
        var entry = directory.State.Keys[position];
        _positions[entry.KeyId] = position;
        _ownersInUse.Add(OwnerNames.Fold(entry.Owner));
        if (!_byOwner.TryGetValue(entry.Owner, out var positions))
        {
            _byOwner[entry.Owner] = positions = [];
        }
        positions.Add(position);
    }

    /// <summary>Directories written before entries carried permissions and creators learn them once from the key grains.</summary>
    private async Task FillInPermissionsAsync()
    {
        var keys = directory.State.Keys;
        var missing = Enumerable.Range(0, keys.Count).Where(i => keys[i].Permissions is null || keys[i].CreatedBy is null).ToArray();
        if (missing.Length == 0)
        {
            return;
        }
        var infos = await Task.WhenAll(missing.Select(i => GrainFactory.GetGrain<IApiKeyGrain>(keys[i].KeyId).GetAsync()));
        for (var j = 0; j < missing.Length; j++)
        {
            // A key whose state is gone is listed to admins only.
            keys[missing[j]] = keys[missing[j]] with { Permissions = infos[j]?.Permissions ?? Permissions.Admin, CreatedBy = infos[j]?.CreatedBy ?? "" };
        }
        await directory.WriteStateAsync();
        logger.LogInformation("API key directory recorded the permissions and creators of {Count} keys indexed before they were kept", missing.Length);
    }
}
