using Mcp.Cluster.Storage;

namespace Mcp.Cluster.ApiKeys;

public sealed class ApiKeyDirectoryGrain(
    [PersistentState("apikey-directory", StorageNames.Default)] IPersistentState<ApiKeyDirectoryState> directory)
    : Grain, IApiKeyDirectoryGrain
{
    private readonly Dictionary<string, List<string>> _byOwner = new(StringComparer.Ordinal);
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in directory.State.Keys)
        {
            Index(entry);
        }
        return Task.CompletedTask;
    }

    public async Task AddAsync(IReadOnlyList<ApiKeyDirectoryEntry> entries)
    {
        var added = false;
        foreach (var entry in entries)
        {
            if (!_known.Contains(entry.KeyId))
            {
                directory.State.Keys.Add(entry);
                Index(entry);
                added = true;
            }
        }
        if (added)
        {
            await directory.WriteStateAsync();
        }
    }

    public Task<ApiKeyPage> ListAsync(string? owner, int offset, int limit)
    {
        IReadOnlyList<string> source = owner is null
            ? directory.State.Keys.ConvertAll(e => e.KeyId)
            : _byOwner.TryGetValue(owner, out var ids) ? ids : [];
        var page = source.Skip(Math.Max(0, offset)).Take(Math.Max(0, limit)).ToArray();
        return Task.FromResult(new ApiKeyPage(page, source.Count));
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

    private void Index(ApiKeyDirectoryEntry entry)
    {
        _known.Add(entry.KeyId);
        if (!_byOwner.TryGetValue(entry.Owner, out var ids))
        {
            _byOwner[entry.Owner] = ids = [];
        }
        ids.Add(entry.KeyId);
    }
}
