namespace Mcp.Cluster.DataSources;

/// <summary>
/// How long a read may run before the grain cancels it and answers 504. The caller's grain call times out after
/// Orleans' response timeout (30 s by default, answered 503 by the gateway), so a read must be cancelled and
/// answered a margin before that, whatever DataSources:QueryTimeout says.
/// </summary>
public static class QueryDeadline
{
    /// <summary>What the grain needs after cancelling a read to audit it and answer.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    public static TimeSpan For(TimeSpan queryTimeout, TimeSpan responseTimeout)
    {
        // With a response timeout too short for the full margin, keep at least a quarter of it for the answer.
        var margin = Margin < responseTimeout / 4 ? Margin : responseTimeout / 4;
        var latest = responseTimeout - margin;
        return queryTimeout < latest ? queryTimeout : latest;
    }
}
