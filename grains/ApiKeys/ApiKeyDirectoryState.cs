namespace Mcp.Cluster.ApiKeys;

[GenerateSerializer]
public sealed class ApiKeyDirectoryState
{
    [Id(0)] public List<ApiKeyDirectoryEntry> Keys { get; set; } = [];
    [Id(1)] public string? BootstrapAdminKeyId { get; set; }
}
