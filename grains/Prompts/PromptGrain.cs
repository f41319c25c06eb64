using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.Prompts;

[GrainType("prompt")]
public sealed class PromptGrain(
    [PersistentState("prompt", StorageNames.Default)] IPersistentState<PromptState> prompt,
    TimeProvider time,
    ILogger<PromptGrain> logger) : Grain, IPromptGrain
{
    private string Name => this.GetPrimaryKeyString();

    public async Task<PromptInfo?> PutAsync(PromptDefinition definition, string owner, string keyId, bool isAdmin)
    {
        var now = time.GetUtcNow();
        if (prompt.RecordExists && prompt.State.Definition is not null)
        {
            if (!isAdmin && prompt.State.Owner != owner)
            {
                return null;
            }
        }
        else
        {
            prompt.State.Owner = owner;
            prompt.State.CreatedBy = keyId;
            prompt.State.CreatedAt = now;
        }
        prompt.State.Definition = definition;
        prompt.State.UpdatedAt = now;
        await prompt.WriteStateAsync();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.Prompts).AddAsync(Name);
        await this.PublishAsync(CatalogChangeKind.Prompts, Name, time, logger);
        return ToInfo();
    }

    public Task<PromptInfo?> GetAsync()
    {
        if (prompt.State.Definition is null)
        {
            DeactivateOnIdle();
        }
        return Task.FromResult(ToInfo());
    }

    public async Task<bool?> DeleteAsync(string owner, bool isAdmin)
    {
        if (prompt.State.Definition is null)
        {
            DeactivateOnIdle();
            return false;
        }
        if (!isAdmin && prompt.State.Owner != owner)
        {
            return null;
        }
        await prompt.ClearStateAsync();
        prompt.State = new PromptState();
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.Prompts).RemoveAsync(Name);
        await this.PublishAsync(CatalogChangeKind.Prompts, Name, time, logger);
        DeactivateOnIdle();
        return true;
    }

    public Task<PromptRendering?> RenderAsync(IReadOnlyDictionary<string, string> arguments) =>
        Task.FromResult(prompt.State.Definition is { } definition ? PromptTemplate.Render(definition, arguments) : null);

    private PromptInfo? ToInfo() => prompt.State.Definition is { } definition
        ? new PromptInfo(Name, definition, prompt.State.Owner, prompt.State.CreatedBy, prompt.State.CreatedAt, prompt.State.UpdatedAt)
        : null;
}
