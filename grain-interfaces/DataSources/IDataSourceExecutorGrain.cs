using Orleans.Concurrency;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Runs reads of one source (keyed by its name) on the silo that receives them: a stateless worker, so a busy source
/// uses every silo's cores instead of one activation. It applies the policy its source's grain
/// (<see cref="IDataSourceGrain"/>) handed it, and only asks that grain per read when a quota or a raw SQL slot must
/// be admitted; counters go back in batches.
/// </summary>
[Alias("mcp.datasource-executor")]
public interface IDataSourceExecutorGrain : IGrainWithStringKey
{
    [Alias("query")]
    Task<DataQueryResult> QueryAsync(DataQuery query, DataCaller caller);

    [Alias("sql")]
    Task<DataQueryResult> ExecuteSqlAsync(string sql, int? maxRows, DataCaller caller);

    /// <summary>
    /// What <paramref name="subject"/> would see of <paramref name="table"/> (null: every table, up to
    /// <c>DataSources:MaxPreviewTables</c>) and its first <paramref name="limit"/> rows, decided by the same governance
    /// as the key's own reads. Read on behalf of <paramref name="previewer"/>, who must be an admin: audited as a
    /// <c>preview</c> by the previewer, never counted against the subject's quotas.
    /// </summary>
    [Alias("preview")]
    Task<DataPreview> PreviewAsync(DataCaller subject, DataCaller previewer, string? table, int limit);

    /// <summary>The source's status, with this silo's counters not yet reported sent first.</summary>
    [Alias("status")]
    Task<DataSourceStatusReport?> GetStatusAsync();

    /// <summary>A key's usage, with this silo's counters not yet reported sent first.</summary>
    [Alias("usage")]
    Task<DataSourceUsage?> GetUsageAsync(string keyId, string owner);

    /// <summary>
    /// The source just changed through this silo's gateway: the next read here fetches the policy again, so the
    /// caller who made the change reads under it (other silos learn of it from the change stream, at the latest when
    /// their policy's lease ends).
    /// </summary>
    [Alias("policy-changed")]
    Task PolicyChangedAsync();
}
