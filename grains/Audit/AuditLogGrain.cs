using Orleans.Concurrency;

namespace Mcp.Cluster.Audit;

[StatelessWorker]
[GrainType("auditlog")]
public sealed class AuditLogGrain(IAuditStore store) : Grain, IAuditLogGrain
{
    public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query) => store.QueryAsync(query, CancellationToken.None);
}
