namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>One test's run: passed when <see cref="Failures"/> is empty; <see cref="Query"/> is what ran (what the question became).</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryTestResult")]
public sealed record DataQueryTestResult(
    [property: Id(0)] string Name,
    [property: Id(1)] bool Passed,
    [property: Id(2)] double ElapsedMs,
    [property: Id(3)] int RowCount,
    [property: Id(4)] DataQuery? Query,
    [property: Id(5)] IReadOnlyList<string> Failures,
    [property: Id(6)] DateTimeOffset RanAt);
