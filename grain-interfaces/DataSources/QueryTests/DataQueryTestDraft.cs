namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>A test to save. With <see cref="ExpectFromCurrent"/> its current rows become the expected ones (and their count).</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryTestDraft")]
public sealed record DataQueryTestDraft(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Question,
    [property: Id(2)] DataQuery? Query,
    [property: Id(3)] DataQueryExpectation Expect,
    [property: Id(4)] bool ExpectFromCurrent);
