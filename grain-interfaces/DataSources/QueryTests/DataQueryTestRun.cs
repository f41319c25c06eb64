namespace Mcp.Cluster.DataSources.QueryTests;

[GenerateSerializer, Immutable, Alias("mcp.DataQueryTestRun")]
public sealed record DataQueryTestRun(
    [property: Id(0)] string Source,
    [property: Id(1)] DateTimeOffset RanAt,
    [property: Id(2)] int Passed,
    [property: Id(3)] int Failed,
    [property: Id(4)] IReadOnlyList<DataQueryTestResult> Results);
