using Mcp.Cluster.Changes;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Models;

[GrainType("modelcatalog")]
public sealed class ModelCatalogGrain(
    [PersistentState("model-catalog", StorageNames.Default)] IPersistentState<ModelCatalogState> catalog,
    TimeProvider time,
    ILogger<ModelCatalogGrain> logger)
    : Grain, IModelCatalogGrain
{
    public const string Latest = ModelSelector.LatestText;

    private readonly Dictionary<string, ModelCatalogEntry> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<string, string>> _versions = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var entry in catalog.State.Models)
        {
            Index(entry);
        }
        // A catalog stored before names had owners: each name belongs to whoever registered its oldest version.
        var unowned = catalog.State.Models
            .Where(e => !catalog.State.NameOwners.ContainsKey(e.Name))
            .GroupBy(e => e.Name, StringComparer.Ordinal)
            .Select(g => g.OrderBy(e => e.CreatedAt).ThenBy(e => e.Version, ModelVersionComparer.Instance).First())
            .ToArray();
        foreach (var oldest in unowned)
        {
            catalog.State.NameOwners[oldest.Name] = oldest.Owner;
        }
        if (unowned.Length > 0)
        {
            await catalog.WriteStateAsync(cancellationToken);
        }
    }

    public async Task<ModelCommandOutcome> AddAsync(ModelCatalogEntry entry, ModelCaller caller)
    {
        if (_byId.ContainsKey(entry.ModelId))
        {
            return ModelCommandOutcome.Ok;
        }
        // The entry is stored with strings (the catalog's stored shape); they must still be a name and a version.
        if (!ModelName.TryParse(entry.Name, out _) || !ModelVersion.TryParse(entry.Version, out _))
        {
            return ModelCommandOutcome.Invalid;
        }
        if (!MayManageName(entry.Name, caller))
        {
            return ModelCommandOutcome.Forbidden;
        }
        if (_versions.TryGetValue(entry.Name, out var versions) && versions.ContainsKey(entry.Version))
        {
            return ModelCommandOutcome.Conflict;
        }
        catalog.State.Models.Add(entry);
        // The first version claims the name, also when an admin registers it.
        catalog.State.NameOwners.TryAdd(entry.Name, entry.Owner);
        Index(entry);
        await catalog.WriteStateAsync();
        await this.PublishAsync(CatalogChangeKind.Models, entry.Name, time, logger);
        return ModelCommandOutcome.Ok;
    }

    public Task<string?> GetNameOwnerAsync(ModelName name) =>
        Task.FromResult(catalog.State.NameOwners.GetValueOrDefault(name.Value));

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
                // A name with no versions resolves to nothing, so it is free to be claimed again.
                _versions.Remove(entry.Name);
                catalog.State.NameOwners.Remove(entry.Name);
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

    public async Task SetProviderAsync(string modelId, string provider)
    {
        if (!_byId.TryGetValue(modelId, out var entry) || entry.Provider == provider)
        {
            return;
        }
        var updated = entry with { Provider = provider };
        _byId[modelId] = updated;
        catalog.State.Models[catalog.State.Models.FindIndex(e => e.ModelId == modelId)] = updated;
        await catalog.WriteStateAsync();
        await this.PublishAsync(CatalogChangeKind.Models, entry.Name, time, logger);
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

    public Task<string?> ResolveAsync(ModelName name, ModelSelector versionOrAlias)
    {
        if (name.Value is null || versionOrAlias.Value is null || !_versions.TryGetValue(name.Value, out var versions))
        {
            return Task.FromResult<string?>(null);
        }
        if (catalog.State.Aliases.TryGetValue(name.Value, out var aliases) && aliases.TryGetValue(versionOrAlias.Value, out var aliased))
        {
            return Task.FromResult<string?>(aliased);
        }
        if (versionOrAlias.IsLatest)
        {
            return Task.FromResult<string?>(versions.Last().Value);
        }
        return Task.FromResult(versions.TryGetValue(versionOrAlias.Value, out var id) ? id : null);
    }

    public async Task<ModelAliasResult> SetAliasAsync(ModelName modelName, ModelAliasName aliasName, ModelVersion modelVersion, ModelCaller caller)
    {
        if (modelName.Value is not { } name || aliasName.Value is not { } alias || modelVersion.Value is not { } version)
        {
            return new ModelAliasResult(ModelCommandOutcome.Invalid);
        }
        if (!_versions.TryGetValue(name, out var versions) || !versions.TryGetValue(version, out var modelId))
        {
            return new ModelAliasResult(ModelCommandOutcome.NotFound);
        }
        // Whoever moves an alias decides which model every caller of name@alias reaches: the name's owner, not
        // the owner of the version it would point at.
        if (!MayManageName(name, caller))
        {
            return new ModelAliasResult(ModelCommandOutcome.Forbidden);
        }
        var target = new ModelAlias(alias, modelId, version);
        if (!catalog.State.Aliases.TryGetValue(name, out var aliases))
        {
            aliases = new Dictionary<string, string>(StringComparer.Ordinal);
            catalog.State.Aliases[name] = aliases;
        }
        if (aliases.TryGetValue(alias, out var current) && current == modelId)
        {
            return new ModelAliasResult(ModelCommandOutcome.Ok, target);
        }
        aliases[alias] = modelId;
        await catalog.WriteStateAsync();
        // Gateways cache what name@alias resolves to; this drops it everywhere.
        await this.PublishAsync(CatalogChangeKind.Models, name, time, logger);
        return new ModelAliasResult(ModelCommandOutcome.Ok, target);
    }

    public async Task<ModelCommandOutcome> RemoveAliasAsync(ModelName modelName, ModelAliasName aliasName, ModelCaller caller)
    {
        if (modelName.Value is not { } name || aliasName.Value is not { } alias || !_versions.ContainsKey(name))
        {
            return ModelCommandOutcome.NotFound;
        }
        var stored = catalog.State.Aliases.TryGetValue(name, out var aliases) && aliases.ContainsKey(alias);
        if (!stored && alias != Latest)
        {
            return ModelCommandOutcome.NotFound;
        }
        if (!MayManageName(name, caller))
        {
            return ModelCommandOutcome.Forbidden;
        }
        if (!stored)
        {
            return ModelCommandOutcome.Invalid;
        }
        aliases!.Remove(alias);
        if (aliases.Count == 0)
        {
            catalog.State.Aliases.Remove(name);
        }
        await catalog.WriteStateAsync();
        await this.PublishAsync(CatalogChangeKind.Models, name, time, logger);
        return ModelCommandOutcome.Ok;
    }

    public Task<IReadOnlyList<ModelAlias>> GetAliasesAsync(ModelName modelName)
    {
        var result = new List<ModelAlias>();
        if (modelName.Value is { } name && _versions.TryGetValue(name, out var versions))
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

    /// <summary>The one rule for a name: its owner (the owner of its first version) or an admin manages it.</summary>
    private bool MayManageName(string name, ModelCaller caller) =>
        caller.IsAdmin
        || !catalog.State.NameOwners.TryGetValue(name, out var owner)
        || string.Equals(owner, caller.Owner, StringComparison.Ordinal);

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
