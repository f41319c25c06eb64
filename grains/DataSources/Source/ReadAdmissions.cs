using Mcp.Cluster.DataSources.Governance;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// The grain's answer when an executor asks to start a read that needs counting across the cluster: a key under a
/// quota (<see cref="DataQuotaLedger"/>) or a raw SQL statement (<see cref="RawSqlSlots"/>). Synchronous, so the
/// check and the counters it changes happen in one turn of the grain. The executor already applied its policy
/// snapshot; the access is resolved again here only because that snapshot may be older than the grain's, and a
/// refusal then says so (<see cref="DataAdmission.PolicyChanged"/>) so the executor fetches the new one and decides
/// again with it. Owned by the source's grain and only touched on its scheduler.
/// </summary>
public sealed class ReadAdmissions(string source, Func<DataSourceState> state, DataSourceGrants grants, DataQuotaLedger ledger, RawSqlSlots slots)
{
    /// <summary>The answer when no source is registered under the name.</summary>
    public DataAdmission Missing => new(false, Outcome: DataQueryOutcome.NotFound, Detail: SourceRefusals.NotFound(source), PolicyChanged: true);

    /// <summary>Admits a structured read: counts it against the caller's query quota and sets aside up to <paramref name="wanted"/> rows.</summary>
    public DataAdmission Admit(DataCaller caller, int wanted) =>
        Refusal(caller, out var access) ?? ledger.Charge(caller.KeyId, access!.Quotas, wanted);

    /// <summary>Like <see cref="Admit"/> for raw SQL, and takes one of the source's and the key's SQL slots.</summary>
    public DataAdmission AdmitSql(DataCaller caller, int wanted)
    {
        if (Refusal(caller, out var access) is { } refused)
        {
            return refused;
        }
        if (!access!.AllowSql || !access.IsUnrestricted)
        {
            // The executor's snapshot still allowed raw SQL; the grant changed since. It fetches the new policy and
            // refuses in its own words, so a revoked "sql" grant stops the next statement, not the next lease.
            return new DataAdmission(false, Outcome: DataQueryOutcome.Forbidden,
                Detail: $"Raw SQL on '{source}' needs a grant with \"sql\": true and no field rules, row filters or masks.", PolicyChanged: true);
        }
        if (slots.Problem(caller.KeyId) is { } busy)
        {
            // Before the quota is charged: a statement that never ran costs nothing.
            return new DataAdmission(false, Outcome: DataQueryOutcome.Unavailable, Detail: busy);
        }
        var admission = ledger.Charge(caller.KeyId, access.Quotas, wanted);
        if (admission.Admitted)
        {
            slots.Take(caller.KeyId);
        }
        return admission;
    }

    /// <summary>
    /// Why the caller has no access here, or null with its access. Same order as the executor's gate: no access is
    /// answered like no source, before anything that tells the two apart, such as the source being disabled.
    /// </summary>
    private DataAdmission? Refusal(DataCaller caller, out SourceAccess? access)
    {
        (access, _) = grants.Resolve(caller);
        if (access is null)
        {
            return Missing;
        }
        return state().Disabled
            ? new DataAdmission(false, Outcome: DataQueryOutcome.Unavailable, Detail: SourceRefusals.Disabled(source), PolicyChanged: true)
            : null;
    }
}
