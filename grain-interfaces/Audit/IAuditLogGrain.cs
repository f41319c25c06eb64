using Orleans.Concurrency;

namespace Mcp.Cluster.Audit;

/// <summary>
/// Reads the audit log for admins. A stateless worker: every silo answers from the shared store, so gateways running
/// as Orleans clients never need their own connection to it. Writes do not come through here; the silo that serves a
/// read appends to the store directly.
/// </summary>
[Alias("mcp.audit-log")]
public interface IAuditLogGrain : IGrainWithIntegerKey
{
    [ReadOnly, Alias("query")]
    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query);
}
