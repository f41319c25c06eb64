using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// One data source, keyed by its name (<c>jobs_db</c>). It decides: the definition, the discovered schema, the health
/// loop, the grants and each key's quota counters. Reads run in <see cref="IDataSourceExecutorGrain"/> on the silo that
/// receives them, under the <see cref="DataSourcePolicy"/> this grain hands out.
/// </summary>
[Alias("mcp.datasource")]
public interface IDataSourceGrain : IGrainWithStringKey
{
    [Alias("register")]
    Task<DataCommandResult> RegisterAsync(DataSourceDefinition definition, string createdBy);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<DataSourceInfo?> GetAsync();

    [Alias("update")]
    Task<DataCommandResult> UpdateAsync(DataSourcePatch patch, string updatedBy);

    /// <summary>Deletes the source, its grants and counters; false when there is none.</summary>
    [Alias("delete")]
    Task<bool> DeleteAsync(string deletedBy);

    /// <summary>The schema as <paramref name="caller"/> may see it; null when the source does not exist or the caller has no access.</summary>
    [ReadOnly, AlwaysInterleave, Alias("schema")]
    Task<DataSourceSchema?> GetSchemaAsync(DataCaller caller);

    [ReadOnly, AlwaysInterleave, Alias("status")]
    Task<DataSourceStatusReport?> GetStatusAsync();

    /// <summary>Discovers the schema again and invalidates every cached result of the source.</summary>
    [Alias("refresh")]
    Task<DataCommandResult> RefreshAsync(string requestedBy);

    /// <summary>Whether <paramref name="caller"/> may read anything here (for listings).</summary>
    [ReadOnly, AlwaysInterleave, Alias("can-read")]
    Task<bool> CanReadAsync(DataCaller caller);

    [Alias("set-grant")]
    Task<DataCommandResult> SetGrantAsync(string subject, DataGrant grant, string updatedBy);

    [Alias("remove-grant")]
    Task<bool> RemoveGrantAsync(string subject, string updatedBy);

    /// <summary>Keeps a question with the query that answers it, once the connector's compiler accepts the query.</summary>
    [Alias("add-example")]
    Task<DataExampleResult> AddExampleAsync(string question, DataQuery query, string createdBy);

    /// <summary>The taught examples; null when the source does not exist.</summary>
    [ReadOnly, AlwaysInterleave, Alias("examples")]
    Task<IReadOnlyList<DataQuestionExample>?> GetExamplesAsync();

    [Alias("remove-example")]
    Task<bool> RemoveExampleAsync(string id, string removedBy);

    [ReadOnly, AlwaysInterleave, Alias("grants")]
    Task<IReadOnlyList<DataGrantEntry>?> GetGrantsAsync();

    [ReadOnly, AlwaysInterleave, Alias("usage")]
    Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner);

    /// <summary>
    /// Reads of this source running right now across the cluster (for the concurrent-queries alert), as the silos'
    /// executors last reported them (at most one report interval old).
    /// </summary>
    [ReadOnly, AlwaysInterleave, Alias("active-queries")]
    Task<int> GetActiveQueriesAsync();

    /// <summary>Runs a structured query; kept for callers of the grain itself, it hands the read to the local executor.</summary>
    [AlwaysInterleave, Alias("query")]
    Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller);

    /// <summary>Runs one read-only SQL statement (via the executor); needs a grant with <see cref="DataGrant.AllowSql"/> (or an admin key).</summary>
    [AlwaysInterleave, Alias("sql")]
    Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller);

    /// <summary>
    /// The policy executors apply, or null when it is still <paramref name="knownVersion"/>. With
    /// <paramref name="discover"/> a source whose schema was never discovered tries once more first.
    /// </summary>
    [AlwaysInterleave, Alias("policy")]
    Task<DataSourcePolicy?> GetPolicyAsync(string? knownVersion, bool discover);

    /// <summary>
    /// Admits one structured read: counts it against the caller's query quota and sets aside up to
    /// <paramref name="wanted"/> rows of the row quota, in one turn (no await), so concurrent admissions are exact.
    /// </summary>
    [AlwaysInterleave, Alias("admit")]
    Task<DataAdmission> AdmitAsync(DataCaller caller, int wanted);

    /// <summary>Like <see cref="AdmitAsync"/> for raw SQL, and also takes one of the source's and the key's SQL slots.</summary>
    [AlwaysInterleave, Alias("admit-sql")]
    Task<DataAdmission> AdmitSqlAsync(DataCaller caller, int wanted);

    /// <summary>Gives back rows an admission set aside and counts the <paramref name="rows"/> the read returned.</summary>
    [AlwaysInterleave, Alias("settle")]
    Task SettleAsync(string keyId, int reserved, int rows);

    /// <summary>Frees the SQL slots <see cref="AdmitSqlAsync"/> took, once the statement has really stopped.</summary>
    [AlwaysInterleave, Alias("release-sql")]
    Task ReleaseSqlSlotAsync(string keyId);

    /// <summary>A silo's batch of counters for this source.</summary>
    [AlwaysInterleave, Alias("report")]
    Task ReportAsync(DataUsageReport report);
}
