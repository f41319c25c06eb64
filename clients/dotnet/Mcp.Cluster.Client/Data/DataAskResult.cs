namespace Mcp.Cluster.Client;

/// <summary>The answer to a plain-language question: the rows, and how the question was understood.</summary>
public sealed record DataAskResult : DataRowsResult
{
    public string Question { get; init; } = "";

    /// <summary><c>builtin</c>, <c>example</c> (an example an admin taught) or <c>model</c> (a registered chat model).</summary>
    public string Translator { get; init; } = "";

    /// <summary>How sure the translator was, 0 to 1.</summary>
    public double Confidence { get; init; }

    /// <summary>The structured query that was run.</summary>
    public DataQueryRequest? Query { get; init; }

    /// <summary>One sentence saying what was read.</summary>
    public string? Explanation { get; init; }
}
