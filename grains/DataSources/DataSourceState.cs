namespace Mcp.Cluster.DataSources;

/// <summary>What a data source grain persists: its definition, grants, discovered schema and usage counters.</summary>
[GenerateSerializer, Alias("mcp.DataSourceState")]
public sealed class DataSourceState
{
    [Id(0)] public string Type { get; set; } = "";
    [Id(1)] public string? Description { get; set; }
    /// <summary>The connector config with secrets encrypted (or as ${VAR} references).</summary>
    [Id(2)] public string StoredConfig { get; set; } = "{}";
    [Id(3)] public DataAccessDefault DefaultAccess { get; set; }
    [Id(4)] public Dictionary<string, MaskKind> Masks { get; set; } = new(StringComparer.Ordinal);
    [Id(5)] public DataQuotas DefaultQuotas { get; set; } = DataQuotas.Unlimited;
    [Id(6)] public TimeSpan CacheTtl { get; set; }
    [Id(7)] public TimeSpan? RefreshInterval { get; set; }
    [Id(8)] public bool Disabled { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }
    [Id(10)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(11)] public string CreatedBy { get; set; } = "";
    [Id(12)] public Dictionary<string, DataGrantEntry> Grants { get; set; } = new(StringComparer.Ordinal);
    [Id(13)] public List<TableSchema> Tables { get; set; } = [];
    [Id(14)] public DateTimeOffset? SchemaRefreshedAt { get; set; }
    /// <summary>Bumped on every refresh and change; part of every cache key, so bumping it invalidates all cached results.</summary>
    [Id(15)] public long Generation { get; set; }
    /// <summary>The key of the source's hash masks; random per source.</summary>
    [Id(16)] public byte[] HashSalt { get; set; } = [];
    [Id(17)] public Dictionary<string, DataUsageCounters> Usage { get; set; } = new(StringComparer.Ordinal);
    [Id(18)] public DataSourceTotals Totals { get; set; } = new();
    /// <summary>
    /// Random per registration and part of every cache key: a source deleted and registered again under the same name
    /// (its generation starts over) can never be served the old registration's cached results.
    /// </summary>
    [Id(19)] public string CacheScope { get; set; } = "";
    /// <summary>What the last discovery's sample of each table showed (members of object fields, few-valued text).</summary>
    [Id(20)] public List<TableProfile> Profiles { get; set; } = [];
    /// <summary>Questions admins taught, with the queries that answer them.</summary>
    [Id(21)] public List<DataQuestionExample> Examples { get; set; } = [];
}

/// <summary>One key's use of a source.</summary>
[GenerateSerializer, Alias("mcp.DataUsageCounters")]
public sealed class DataUsageCounters
{
    [Id(0)] public DateOnly Day { get; set; }
    [Id(1)] public long QueriesToday { get; set; }
    [Id(2)] public long RowsToday { get; set; }
    [Id(3)] public long TotalQueries { get; set; }
    [Id(4)] public long TotalRows { get; set; }
    [Id(5)] public long Denied { get; set; }

    /// <summary>Rows set aside by reads still running, so concurrent reads cannot overshoot the daily row quota together.</summary>
    [NonSerialized] public long RowsReserved;

    public void Roll(DateOnly today)
    {
        if (Day != today)
        {
            Day = today;
            QueriesToday = 0;
            RowsToday = 0;
        }
    }
}

[GenerateSerializer, Alias("mcp.DataSourceTotals")]
public sealed class DataSourceTotals
{
    [Id(0)] public long Queries { get; set; }
    [Id(1)] public long Denied { get; set; }
    [Id(2)] public long Failed { get; set; }
    [Id(3)] public long Rows { get; set; }
    [Id(4)] public long CacheHits { get; set; }
    [Id(5)] public long CacheMisses { get; set; }
}
