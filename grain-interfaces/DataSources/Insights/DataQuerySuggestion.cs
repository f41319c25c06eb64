namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// Advice about one query shape: <see cref="Kind"/> is <c>missing_index</c>, <c>non_sargable_filter</c>,
/// <c>unbounded_scan</c>, <c>always_cached</c> or <c>never_cached</c>; <see cref="Detail"/> says what to do in words
/// (a <c>CREATE INDEX</c> statement is advice to read, never run by the node).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataQuerySuggestion")]
public sealed record DataQuerySuggestion(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Detail,
    [property: Id(2)] string? Field = null)
{
    public const string MissingIndex = "missing_index";
    public const string NonSargableFilter = "non_sargable_filter";
    public const string UnboundedScan = "unbounded_scan";
    public const string AlwaysCached = "always_cached";
    public const string NeverCached = "never_cached";
}
