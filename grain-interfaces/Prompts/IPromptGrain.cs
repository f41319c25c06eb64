using Orleans.Concurrency;

namespace Mcp.Cluster.Prompts;

/// <summary>One prompt of the prompt registry, keyed by its name.</summary>
[Alias("mcp.prompt")]
public interface IPromptGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the prompt; null when it exists and belongs to another owner (and the caller is not an admin).</summary>
    [Alias("put")]
    Task<PromptInfo?> PutAsync(PromptDefinition definition, string owner, string keyId, bool isAdmin);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<PromptInfo?> GetAsync();

    /// <summary>Deletes the prompt: true when deleted, false when missing, null when it belongs to another owner.</summary>
    [Alias("delete")]
    Task<bool?> DeleteAsync(string owner, bool isAdmin);

    [ReadOnly, AlwaysInterleave, Alias("render")]
    Task<PromptRendering?> RenderAsync(IReadOnlyDictionary<string, string> arguments);
}
