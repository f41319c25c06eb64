namespace Mcp.Cluster.Audit;

[GenerateSerializer, Alias("mcp.AuditDecision")]
public enum AuditDecision
{
    Allowed,
    Denied,
    /// <summary>Allowed by policy, but the source failed or timed out.</summary>
    Failed,
}
