namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>
/// The answer to saving a test: the test, or why not. <see cref="QueryOutcome"/> is set when recording the current
/// rows failed because the read did (so the caller can be answered as that read would have been).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQueryTestSaved")]
public sealed record DataQueryTestSaved(
    [property: Id(0)] DataCommandOutcome Outcome,
    [property: Id(1)] DataQueryTest? Test = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null,
    [property: Id(4)] DataQueryOutcome? QueryOutcome = null);
