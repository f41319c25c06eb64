namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>A connector config that cannot work, named by its field (e.g. <c>config.port</c>).</summary>
public sealed class DataSourceConfigException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
