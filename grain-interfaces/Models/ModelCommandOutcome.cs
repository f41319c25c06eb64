namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.ModelCommandOutcome")]
public enum ModelCommandOutcome
{
    Ok,
    Invalid,
    Conflict,
    NotFound,
    Forbidden,
}
