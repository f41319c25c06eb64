using System.Globalization;
using System.Text;
using Mcp.Cluster.DataSources.Query;

namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>A structured query compiled to SQL for a dialect; its fingerprint is the statement and every bound value.</summary>
public sealed record CompiledRead(string Fingerprint, IReadOnlyList<ColumnSchema> Columns, int Limit, CompiledQuery Compiled)
    : PreparedRead(Fingerprint, Columns, Limit)
{
    public override bool IsAggregate => Compiled.IsAggregate;

    public static (PreparedRead? Read, QueryProblem? Problem) Compile(DataQuery query, TableSchema table, SqlDialect dialect, QueryLimits limits)
    {
        var (compiled, problem) = SqlQueryCompiler.Compile(query, table, dialect, limits);
        return compiled is null ? (null, problem) : (Of(compiled, dialect), null);
    }

    public static CompiledRead Of(CompiledQuery compiled, SqlDialect dialect)
    {
        var fingerprint = new StringBuilder(dialect.Name).Append('\n').Append(compiled.Sql);
        foreach (var parameter in compiled.Parameters)
        {
            fingerprint.Append('\n').Append(parameter.Name).Append(':').Append(parameter.Type).Append('=')
                .Append(parameter.Value is string[] path ? string.Join(".", path) : Convert.ToString(parameter.Value, CultureInfo.InvariantCulture));
        }
        return new CompiledRead(fingerprint.ToString(), compiled.Columns, compiled.Limit, compiled);
    }
}
