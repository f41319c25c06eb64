using Mcp.Cluster.Changes;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models;

public sealed class ModelCatalogGrain(
    [PersistentState("model-catalog", StorageNames.Default)] IPersistentState<ModelCatalogState> catalog,
    TimeProvider time,
    ILogger<ModelCatalogGrain> logger)
    : Grain, IModelCatalogGrain
{
    public const string Latest = "latest";

    private readonly Dictionary<string, ModelCatalogEntry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, string>> _versions = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in catalog.State.Models)
        {
            Index(entry);
        }
        return Task.CompletedTask;
    }

    public async Task<bool> AddAsync(ModelCatalogEntry entry)
    {
        if (_byId.ContainsKey(entry.ModelId))
        {
            return true;
        }
        if (_versions.TryGetValue(entry.Name, out var versions) && versions.ContainsKey(entry.Version))
        {
            return false;
        }
        catalog.State.Models.Add(entry);
        Index(entry);
        await catalog.WriteStateAsync();
        await this.PublishAsync(CatalogChangeKind.Models, entry.Name, time, logger);
        return true;
    }

    public async Task RemoveAsync(string modelId)
    {
        if (!_byId.Remove(modelId, out var entry))
        {
            return;
        }
        catalog.State.Models.RemoveAll(e => e.ModelId == modelId);
        if (_versions.TryGetValue(entry.Name, out var versions))
        {
            versions.Remove(entry.Version);
            if (versions.Count == 0)
            {
                _versions.Remove(entry.Name);
            }
        }
        if (catalog.State.Aliases.TryGetValue(entry.Name, out var aliases))
        {
            foreach (var alias in aliases.Where(a => a.Value == modelId).Select(a => a.Key).ToArray())
            {
                aliases.Remove(alias);
            }
            if (aliases.Count == 0)
            {
                catalog.State.Aliases.Remove(entry.Name);
            }
        }
        await catalog.WriteStateAsync();
        await this.PublishAsync(CatalogChangeKind.Models, entry.Name, time, logger);
    }

    public async Task SetStatusAsync(string modelId, ModelStatus status)
    {
        if (!_byId.TryGetValue(modelId, out var entry) || entry.Status == status)
        {
            return;
        }
        var updated = entry with { Status = status };
        _byId[modelId] = updated;
        var index = catalog.State.Models.FindIndex(e => e.ModelId == modelId);
        catalog.State.Models[index] = updated;
        await catalog.WriteStateAsync();
        if (entry.Status == ModelStatus.Maintenance || status == ModelStatus.Maintenance)
        {
            // Models in maintenance are not offered as MCP tools.
            await this.PublishAsync(CatalogChangeKind.Models, entry.Name, time, logger);
        }
    }

    public Task<ModelCatalogPage> ListAsync(ModelQuery query)
    {
        IEnumerable<ModelCatalogEntry> matches = catalog.State.Models;
        if (query.Name is { } name)
        {
            matches = matches.Where(e => e.Name == name);
        }
        if (query.Provider is { } provider)
        {
            matches = matches.Where(e => string.Equals(e.Provider, provider, StringComparison.OrdinalIgnoreCase));
        }
        if (query.Status is { } status)
        {
            matches = matches.Where(e => e.Status == status);
        }
        var all = matches.ToList();
        var page = all.Skip(Math.Max(0, query.Offset)).Take(Math.Max(0, query.Limit)).ToArray();
        return Task.FromResult(new ModelCatalogPage(page, all.Count));
    }

    public Task<string?> ResolveAsync(string name, string versionOrAlias)
    {
        if (!_versions.TryGetValue(name, out var versions))
        {
            return Task.FromResult<string?>(null);
        }
        if (catalog.State.Aliases.TryGetValue(name, out var aliases) && aliases.TryGetValue(versionOrAlias, out var aliased))
        {
            return Task.FromResult<string?>(aliased);
        }
        if (versionOrAlias == Latest)
        {
            return Task.FromResult<string?>(versions.Last().Value);
        }
        return Task.FromResult(versions.TryGetValue(versionOrAlias, out var id) ? id : null);
    }

    public async Task<bool> SetAliasAsync(string name, string alias, string modelId)
    {
        if (!_byId.TryGetValue(modelId, out var entry) || entry.Name != name)
        {
            return false;
        }
        if (!catalog.State.Aliases.TryGetValue(name, out var aliases))
        {
            aliases = new Dictionary<string, string>(StringComparer.Ordinal);
            catalog.State.Aliases[name] = aliases;
        }
        if (aliases.TryGetValue(alias, out var current) && current == modelId)
        {
            return true;
        }
        aliases[alias] = modelId;
        await catalog.WriteStateAsync();
        return true;
    }

    public async Task<bool> RemoveAliasAsync(string name, string alias)
    {
        if (!catalog.State.Aliases.TryGetValue(name, out var aliases) || !aliases.Remove(alias))
        {
            return false;
        }
        if (aliases.Count == 0)
        {
            catalog.State.Aliases.Remove(name);
        }
        await catalog.WriteStateAsync();
        return true;
    }

    public Task<IReadOnlyList<ModelAlias>> GetAliasesAsync(string name)
    {
        var result = new List<ModelAlias>();
        if (_versions.TryGetValue(name, out var versions))
        {
            var latest = versions.Last();
            var explicitAliases = catalog.State.Aliases.GetValueOrDefault(name);
            if (explicitAliases?.ContainsKey(Latest) != true)
            {
                result.Add(new ModelAlias(Latest, latest.Value, latest.Key));
            }
            foreach (var (alias, id) in explicitAliases ?? [])
            {
                if (_byId.TryGetValue(id, out var entry))
                {
                    result.Add(new ModelAlias(alias, id, entry.Version));
                }
            }
        }
        return Task.FromResult<IReadOnlyList<ModelAlias>>(result);
    }

    public Task<IReadOnlyList<string>> GetAllModelIdsAsync() =>
        Task.FromResult<IReadOnlyList<string>>(catalog.State.Models.ConvertAll(e => e.ModelId));

    private void Index(ModelCatalogEntry entry)
    {
        _byId[entry.ModelId] = entry;
        if (!_versions.TryGetValue(entry.Name, out var versions))
        {
            versions = new SortedDictionary<string, string>(ModelVersionComparer.Instance);
            _versions[entry.Name] = versions;
        }
        versions[entry.Version] = entry.ModelId;
    }
}
