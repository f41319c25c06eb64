namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// One request presented to a key: the keyed hash of the presented secret, the permission the route needs and
/// what the request costs against the rate limit and quotas (a batch of N costs N).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AccessRequest")]
public sealed record AccessRequest(
    [property: Id(0)] byte[] SecretHash,
    [property: Id(1)] Permissions Required,
    [property: Id(2)] int Cost);
