namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.CircuitState")]
public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
