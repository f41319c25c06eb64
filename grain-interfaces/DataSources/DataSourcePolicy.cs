namespace Mcp.Cluster.DataSources;

/// <summary>
/// What an executor needs to run reads of one source, as the source's grain decided it at <see cref="IssuedAt"/>:
/// the definition and connection settings (secrets still protected; the executor's silo reveals them), the governance
/// inputs the grain validated (default access, masks, quotas, grants; turned into a caller's plan by the one
/// governance code, <c>DataAccessPolicy</c>) and the status that gates reads. Immutable; <see cref="Version"/> changes
/// whenever any of it does, so an executor asks "anything newer than mine?" and usually gets nothing back.
/// </summary>
/// <param name="Exists">False for a name no source is registered under; everything else is then empty.</param>
/// <param name="ConnectorError">Why the grain could not build a connector from the stored config, if so.</param>
/// <param name="SchemaError">Why the last schema discovery failed, if it did.</param>
[GenerateSerializer, Immutable, Alias("mcp.DataSourcePolicy")]
public sealed record DataSourcePolicy(
    [property: Id(0)] string Name,
    [property: Id(1)] string Version,
    [property: Id(2)] bool Exists,
    [property: Id(3)] string Type,
    [property: Id(4)] string StoredConfig,
    [property: Id(5)] DataAccessDefault DefaultAccess,
    [property: Id(6)] IReadOnlyDictionary<string, MaskKind> Masks,
    [property: Id(7)] DataQuotas DefaultQuotas,
    [property: Id(8)] IReadOnlyDictionary<string, DataGrantEntry> Grants,
    [property: Id(9)] IReadOnlyList<TableSchema> Tables,
    [property: Id(10)] DateTimeOffset? SchemaRefreshedAt,
    [property: Id(11)] long Generation,
    [property: Id(12)] byte[] HashSalt,
    [property: Id(13)] string CacheScope,
    [property: Id(14)] TimeSpan CacheTtl,
    [property: Id(15)] bool Disabled,
    [property: Id(16)] string? ConnectorError,
    [property: Id(17)] string? SchemaError,
    [property: Id(18)] DateTimeOffset IssuedAt,
    [property: Id(19)] IReadOnlyList<TableProfile>? Profiles = null,
    [property: Id(20)] IReadOnlyList<DataQuestionExample>? Examples = null)
{
    public static DataSourcePolicy Missing(string name, string version, DateTimeOffset at) => new(name, version, false, "", "{}",
        DataAccessDefault.None, new Dictionary<string, MaskKind>(), DataQuotas.Unlimited, new Dictionary<string, DataGrantEntry>(), [],
        null, 0, [], "", TimeSpan.Zero, false, null, null, at);
}
