namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// What a query test expects: a number of rows, the rows themselves (<see cref="RowsJson"/>, a JSON array of objects
/// compared on the fields each gives; in order only when the query orders), and at most so many milliseconds.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryExpectation")]
public sealed record DataQueryExpectation(
    [property: Id(0)] int? RowCount,
    [property: Id(1)] string? RowsJson,
    [property: Id(2)] int? MaxMs);
