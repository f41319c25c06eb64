namespace Mcp.Cluster.DataSources.Insights;

[GenerateSerializer, Alias("mcp.DataInsightsSort")]
public enum DataInsightsSort
{
    /// <summary>Most runs first.</summary>
    Frequent,
    /// <summary>Highest average latency first.</summary>
    Slowest,
}
