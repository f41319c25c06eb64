namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The key a management request was authorized with, as its own key grain reported it for this request. Key grains
/// decide from it what that caller may see, revoke, rotate or grant.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.ApiKeyCaller")]
public sealed record ApiKeyCaller(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] Permissions Permissions)
{
    public bool IsAdmin => Permissions.HasFlag(Permissions.Admin);
}
