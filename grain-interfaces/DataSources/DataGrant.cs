namespace Mcp.Cluster.DataSources;

/// <summary>
/// Access to one data source for one subject (a key id, or <c>owner:NAME</c> for every key of an owner).
/// <see cref="Tables"/> null means every table without restriction. <see cref="AllowSql"/> permits read-only raw SQL,
/// which can only be granted where nothing is restricted (raw SQL could read around field rules and masks).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.DataGrant")]
public sealed record DataGrant(
    [property: Id(0)] IReadOnlyDictionary<string, TableGrant>? Tables,
    [property: Id(1)] bool AllowSql,
    [property: Id(2)] DataQuotas? Quotas);
