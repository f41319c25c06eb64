namespace Mcp.Cluster.DataSources;

[GenerateSerializer, Alias("mcp.DataCommandOutcome")]
public enum DataCommandOutcome
{
    Ok,
    NotFound,
    Conflict,
    Invalid,
    Forbidden,
}
