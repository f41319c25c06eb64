namespace Mcp.Cluster.Client;

/// <summary>
/// A computed column: <see cref="Fn"/> <c>count</c> (of rows, or of non-null <see cref="Field"/> values), <c>sum</c>,
/// <c>avg</c>, <c>min</c> or <c>max</c>. The answer's column is <see cref="As"/>, else <c>count</c> or
/// <c>&lt;fn&gt;_&lt;field with dots as underscores&gt;</c>.
/// </summary>
public sealed record QueryAggregate(string Fn, string? Field = null, string? As = null);
