namespace Mcp.Cluster.Health;

[GenerateSerializer, Immutable, Alias("mcp.ClusterHealthReport")]
public sealed record ClusterHealthReport(
    [property: Id(0)] bool Healthy,
    [property: Id(1)] string Silo,
    [property: Id(2)] IReadOnlyDictionary<string, string> Checks);
