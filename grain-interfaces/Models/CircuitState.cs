namespace Mcp.Cluster.Models;

[GenerateSerializer]
public enum CircuitState
{
    Closed,
    Open,
    HalfOpen,
}
