namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Immutable, Alias("mcp.DataOrder")]
public sealed record DataOrder(
    [property: Id(0)] string Field,
    [property: Id(1)] bool Descending);
