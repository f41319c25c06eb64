namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer, Alias("mcp.ApiKeyDirectoryState")]
public sealed class ApiKeyDirectoryState
{
    [Id(0)] public List<ApiKeyDirectoryEntry> Keys { get; set; } = [];
    [Id(1)] public string? BootstrapAdminKeyId { get; set; }

    /// <summary>Folded owner names claimed or reserved that no key is indexed under yet.</summary>
    [Id(2)] public List<string> ClaimedOwners { get; set; } = [];
}
