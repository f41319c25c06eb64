namespace Mcp.Cluster.Models.Hosted;

/// <summary>A loaded session as its host reports it to the model grain (for the model's status).</summary>
[GenerateSerializer, Immutable, Alias("mcp.HostedSessionStatus")]
public sealed record HostedSessionStatus(
    [property: Id(0)] string SessionKey,
    [property: Id(1)] SiloAddress Silo,
    [property: Id(2)] string Device,
    [property: Id(3)] DateTimeOffset LoadedAt,
    [property: Id(4)] double LoadMs,
    [property: Id(5)] long MemoryBytes,
    [property: Id(6)] long ReservedBytes,
    [property: Id(7)] int BatchSize,
    [property: Id(8)] long Runs,
    [property: Id(9)] long Items,
    [property: Id(10)] int LargestBatch);
