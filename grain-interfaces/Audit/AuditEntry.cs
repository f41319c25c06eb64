namespace Mcp.Cluster.Audit;

/// <summary>
/// One data access. <see cref="Id"/> is assigned by the store (0 before it is written) and orders entries.
/// <see cref="Reason"/> says why a read was denied or failed; <see cref="Operation"/> is <c>query</c>, <c>sql</c> or <c>preview</c> (an admin looking at what a key would see).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Id,
    [property: Id(1)] DateTimeOffset Timestamp,
    [property: Id(2)] string KeyId,
    [property: Id(3)] string Owner,
    [property: Id(4)] string? ModelId,
    [property: Id(5)] string Source,
    [property: Id(6)] string? Table,
    [property: Id(7)] IReadOnlyList<string> Fields,
    [property: Id(8)] string Operation,
    [property: Id(9)] AuditDecision Decision,
    [property: Id(10)] string? Reason,
    [property: Id(11)] int RowCount,
    [property: Id(12)] double LatencyMs,
    [property: Id(13)] bool Cached,
    [property: Id(14)] string? Statement);
