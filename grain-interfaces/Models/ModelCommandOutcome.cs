namespace Mcp.Cluster.Models;

[GenerateSerializer]
public enum ModelCommandOutcome
{
    Ok,
    Invalid,
    Conflict,
    NotFound,
    Forbidden,
}
