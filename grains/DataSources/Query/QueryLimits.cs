namespace Mcp.Cluster.DataSources.Query;

/// <summary>Bounds every structured query (section <c>DataSources:Query</c>).</summary>
public sealed class QueryLimits
{
    public const string Section = "DataSources:Query";

    /// <summary>Rows returned when the query names no limit.</summary>
    public int DefaultLimit { get; set; } = 100;

    /// <summary>The largest limit accepted; more is refused rather than silently cut.</summary>
    public int MaxLimit { get; set; } = 1000;

    public int MaxOffset { get; set; } = 100_000;

    public int MaxFilters { get; set; } = 32;

    /// <summary>Values in one <c>in</c>/<c>not_in</c> list.</summary>
    public int MaxInValues { get; set; } = 500;

    /// <summary>Characters in one text value.</summary>
    public int MaxValueLength { get; set; } = 4096;

    /// <summary>Computed columns (<c>aggregates</c>) in one query.</summary>
    public int MaxAggregates { get; set; } = 8;

    /// <summary>Fields in one query's <c>group_by</c>.</summary>
    public int MaxGroupBy { get; set; } = 4;

    /// <summary>
    /// These limits with room for <paramref name="rowFilters"/> more filters: the row filters a grant adds count
    /// against the grant, not against the caller's own allowance.
    /// </summary>
    public QueryLimits WithRowFilters(int rowFilters) => rowFilters == 0 ? this : new QueryLimits
    {
        DefaultLimit = DefaultLimit,
        MaxLimit = MaxLimit,
        MaxOffset = MaxOffset,
        MaxFilters = MaxFilters + rowFilters,
        MaxInValues = MaxInValues,
        MaxValueLength = MaxValueLength,
        MaxAggregates = MaxAggregates,
        MaxGroupBy = MaxGroupBy,
    };
}
