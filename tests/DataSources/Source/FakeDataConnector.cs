using Mcp.Cluster.DataSources;
using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.Tests.DataSources.Source;

/// <summary>A connector whose discovery and health check the test scripts; it reads nothing.</summary>
internal sealed class FakeDataConnector : DataConnector
{
    public Func<CancellationToken, Task<IReadOnlyList<TableSchema>>> Discover { get; set; } = _ => Task.FromResult<IReadOnlyList<TableSchema>>([]);

    public Func<CancellationToken, Task> Health { get; set; } = _ => Task.CompletedTask;

    public int Discoveries { get; private set; }

    public override Task<IReadOnlyList<TableSchema>> DiscoverAsync(CancellationToken cancellationToken)
    {
        Discoveries++;
        return Discover(cancellationToken);
    }

    public override Task CheckHealthAsync(CancellationToken cancellationToken) => Health(cancellationToken);

    public override (PreparedRead? Read, QueryProblem? Problem) Prepare(DataQuery query, TableSchema table, QueryLimits limits) =>
        throw new NotSupportedException();

    public override Task<RowSet> ReadAsync(PreparedRead read, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>Waits until cancelled, as a source that does not answer.</summary>
    public static async Task<T> HangAsync<T>(CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return default!;
    }
}
