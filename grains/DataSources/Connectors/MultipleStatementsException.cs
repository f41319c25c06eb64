namespace Mcp.Cluster.DataSources.Connectors;

/// <summary>
/// The source's own parser found more than one statement in raw SQL. Answered like the gateway's own single-statement
/// check (a bad request), not as the source's error, since the caller asked for something raw SQL never runs.
/// </summary>
public sealed class MultipleStatementsException(string message, Exception? inner = null) : Exception(message, inner)
{
    public const string Detail = "Only one statement per request: remove everything after the first statement.";
}
