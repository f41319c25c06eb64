namespace Mcp.Cluster.DataSources.Insights;

/// <summary>One silo's query shapes of one source since its last report, sent on the usage report interval.</summary>
[GenerateSerializer, Immutable, Alias("mcp.DataInsightsBatch")]
public sealed record DataInsightsBatch(
    [property: Id(0)] string Reporter,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] IReadOnlyList<DataShapeDelta> Shapes);
