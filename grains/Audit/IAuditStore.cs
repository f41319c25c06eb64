namespace Mcp.Cluster.Audit;

/// <summary>Where audit entries are kept: an SQLite file on a single node, the cluster database in cluster mode.</summary>
public interface IAuditStore
{
    Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);
}
