using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>Rows read from a data source, as <c>/api/data/query</c>, <c>/api/data/sql</c> and <c>/api/data/ask</c> answer them.</summary>
public abstract record DataRowsResult
{
    public string Source { get; init; } = "";

    /// <summary>The table read (absent for raw SQL).</summary>
    public string? Table { get; init; }

    public IReadOnlyList<DataColumn> Columns { get; init; } = [];

    /// <summary>One JSON object per row, keyed by column name.</summary>
    public IReadOnlyList<JsonElement> Rows { get; init; } = [];

    public int RowCount { get; init; }

    public int? Limit { get; init; }

    public int? Offset { get; init; }

    /// <summary>More rows were there than returned.</summary>
    public bool Truncated { get; init; }

    /// <summary>Fewer rows than asked for because the key's rows-per-day quota ran short.</summary>
    public bool LimitedByQuota { get; init; }

    /// <summary>Answered from the source's cache (quotas and audit applied all the same).</summary>
    public bool Cached { get; init; }

    public double ElapsedMs { get; init; }
}
