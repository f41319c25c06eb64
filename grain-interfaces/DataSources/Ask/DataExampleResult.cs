namespace Mcp.Cluster.DataSources;

/// <summary>The example kept, or why not (<see cref="Outcome"/> other than Ok, with the field at fault).</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataExampleResult")]
public sealed record DataExampleResult(
    [property: Id(0)] DataCommandOutcome Outcome,
    [property: Id(1)] DataQuestionExample? Example = null,
    [property: Id(2)] string? Detail = null,
    [property: Id(3)] string? Field = null);
