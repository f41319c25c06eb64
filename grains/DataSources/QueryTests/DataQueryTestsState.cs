namespace Mcp.Cluster.DataSources.QueryTests;

/// <summary>One source's saved query tests, by name.</summary>
[GenerateSerializer, Alias("mcp.DataQueryTestsState")]
public sealed class DataQueryTestsState
{
    [Id(0)] public Dictionary<string, DataQueryTest> Tests { get; set; } = new(StringComparer.Ordinal);
}
