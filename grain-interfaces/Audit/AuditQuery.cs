namespace Mcp.Cluster.Audit;

/// <summary>Filters for reading the audit log, newest first; <see cref="BeforeId"/> pages backwards.</summary>
[GenerateSerializer, Immutable, Alias("mcp.AuditQuery")]
public sealed record AuditQuery(
    [property: Id(0)] string? Source,
    [property: Id(1)] string? KeyId,
    [property: Id(2)] string? ModelId,
    [property: Id(3)] AuditDecision? Decision,
    [property: Id(4)] DateTimeOffset? Since,
    [property: Id(5)] DateTimeOffset? Until,
    [property: Id(6)] long? BeforeId,
    [property: Id(7)] int Limit);
