using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// One data source, keyed by its name (<c>jobs_db</c>). It owns the connector, the discovered schema, the health loop,
/// the grants and each key's quota counters, so one call decides, meters, runs and audits a read.
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

    [ReadOnly, AlwaysInterleave, Alias("grants")]
    Task<IReadOnlyList<DataGrantEntry>?> GetGrantsAsync();

    [ReadOnly, AlwaysInterleave, Alias("usage")]
    Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner);

    /// <summary>
    /// Runs a structured query under the caller's policy. Interleaved: reads of one source run concurrently; the
    /// quota check and the counters it changes happen in one turn, before the first await.
    /// </summary>
    /// <summary>Reads of this source running right now (for the concurrent-queries alert).</summary>
    [ReadOnly, AlwaysInterleave, Alias("active-queries")]
    Task<int> GetActiveQueriesAsync();

    [AlwaysInterleave, Alias("query")]
    Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller);

    /// <summary>Runs one read-only SQL statement; needs a grant with <see cref="DataGrant.AllowSql"/> (or an admin key).</summary>
    [AlwaysInterleave, Alias("sql")]
    Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller);
}
