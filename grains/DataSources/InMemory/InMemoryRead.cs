using Mcp.Cluster.DataSources.Connectors;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.InMemory;

/// <summary>A structured query checked against a table and ready to run over rows held in memory.</summary>
public sealed record InMemoryRead(string Fingerprint, IReadOnlyList<ColumnSchema> Columns, int Limit, QueryPlan Plan)
    : PreparedRead(Fingerprint, Columns, Limit)
{
    public TableSchema Table => Plan.Table;

    public override bool IsAggregate => Plan.IsAggregate;
}
