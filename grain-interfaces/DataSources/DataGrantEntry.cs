namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Immutable, Alias("mcp.DataGrantEntry")]
public sealed record DataGrantEntry(
    [property: Id(0)] string Subject,
    [property: Id(1)] DataGrant Grant,
    [property: Id(2)] DateTimeOffset UpdatedAt,
    [property: Id(3)] string UpdatedBy);
