namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// A saved question (<see cref="Question"/>, translated at every run) or structured query (<see cref="Query"/>) of a
/// source with its expected result, and how its last run went.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryTest")]
public sealed record DataQueryTest(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Question,
    [property: Id(2)] DataQuery? Query,
    [property: Id(3)] DataQueryExpectation Expect,
    [property: Id(4)] string CreatedBy,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] DataQueryTestResult? LastRun = null);
