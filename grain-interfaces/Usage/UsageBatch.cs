namespace Mcp.Cluster.Usage;

/// <summary>The events a gateway collected for one stream during one flush interval.</summary>
[GenerateSerializer, Immutable]
public sealed record UsageBatch([property: Id(0)] IReadOnlyList<UsageEvent> Events);
