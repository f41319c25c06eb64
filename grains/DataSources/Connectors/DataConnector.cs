using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// Talks to one source. A data source grain owns one connector for as long as its config stays the same; connectors
/// hold no per-caller state, so reads run on it concurrently.
/// </summary>
public abstract class DataConnector : IAsyncDisposable
{
    /// <summary>Lists the tables and columns the source exposes.</summary>
    public abstract Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken);

    /// <summary>Proves the source answers (a trivial round trip).</summary>
    public abstract Task CheckHealthAsync(CancellationToken cancellationToken);

    /// <summary>Checks and compiles a query against a discovered table; a problem names the field at fault.</summary>
    public abstract (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits);

    public abstract Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken);

    /// <summary>Whether the source can run raw SQL at all.</summary>
    public virtual bool SupportsSql => false;

    /// <summary>Runs one read-only statement, returning at most <paramref name="maxRows"/> rows.</summary>
    public virtual Task<RowSet> ExecuteReadOnlySqlAsync(string sql, int maxRows, TimeSpan timeout, CancellationToken cancellationToken) =>
        throw new NotSupportedException("This source does not run SQL.");

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
