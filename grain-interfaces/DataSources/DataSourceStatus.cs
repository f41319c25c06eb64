namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Alias("mcp.DataSourceStatus")]
public enum DataSourceStatus
{
    /// <summary>Registered; the first schema discovery has not finished yet.</summary>
    Registered,
    Active,
    /// <summary>The last health checks or the schema discovery failed.</summary>
    Error,
    /// <summary>Switched off by an admin: queries are refused, the health loop pauses.</summary>
    Disabled,
}
