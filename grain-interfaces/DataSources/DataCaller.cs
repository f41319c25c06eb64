using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Who reads: the key, and when the read is made on a model's behalf, that model and what it declared for this
/// source at registration (null when it declared nothing for it, which denies the read). The key's permissions are
/// checked by the grain, not the gateway, so a key without <c>read</c> is refused and audited like any other denial.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataCaller")]
public sealed record DataCaller(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Owner,
    [property: Id(2)] bool IsAdmin,
    [property: Id(3)] string? ModelId = null,
    [property: Id(4)] ModelDataSource? ModelDeclaration = null,
    [property: Id(5)] Permissions Permissions = Permissions.Read);
