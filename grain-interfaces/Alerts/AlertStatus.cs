namespace Mcp.Cluster.Alerts;

public enum AlertStatus
{
    /// <summary>Breaching, but not yet for the rule's <c>for</c> duration; nobody is notified.</summary>
    Pending,
    Firing,
    Resolved,
}
