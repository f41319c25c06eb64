namespace Mcp.Cluster.Usage;

public enum UsageScopeKind
{
    Model,
    Key,
    Source,
    Cluster,
}
