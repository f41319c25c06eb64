namespace Mcp.Cluster.DataSources;

[GenerateSerializer]
public enum DataCommandOutcome
{
    Ok,
    NotFound,
    Conflict,
    Invalid,
    Forbidden,
}
