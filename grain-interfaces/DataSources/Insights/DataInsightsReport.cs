namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// A source's query insights: reads counted since <see cref="Since"/>, the shapes asked for (sorted, at most the
/// limit), and the ids of the slowest and most frequent shapes overall.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataInsightsReport")]
public sealed record DataInsightsReport(
    [property: Id(0)] string Source,
    [property: Id(1)] DateTimeOffset? Since,
    [property: Id(2)] long Queries,
    [property: Id(3)] IReadOnlyList<DataShapeInsight> Shapes,
    [property: Id(4)] IReadOnlyList<string> Slowest,
    [property: Id(5)] IReadOnlyList<string> Frequent);
