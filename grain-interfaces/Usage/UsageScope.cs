namespace Mcp.Cluster.Usage;

/// <summary>
/// What a <see cref="IUsageMetricsGrain"/> aggregates: one model, key or data source, or the whole cluster, for one UTC
/// day. The grain key and its implicit stream's key are the same string: <c>{kind}/{yyyy-MM-dd}/{id}</c> (the id last,
/// so it may hold any character).
/// </summary>
public readonly record struct UsageScope(UsageScopeKind Kind, DateOnly Day, string Id)
{
    public const string ClusterId = "all";

    public static UsageScope Model(string modelId, DateOnly day) => new(UsageScopeKind.Model, day, modelId);

    public static UsageScope Key(string keyId, DateOnly day) => new(UsageScopeKind.Key, day, keyId);

    public static UsageScope Source(string source, DateOnly day) => new(UsageScopeKind.Source, day, source);

    public static UsageScope Cluster(DateOnly day) => new(UsageScopeKind.Cluster, day, ClusterId);

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}/{Day:yyyy-MM-dd}/{Id}";

    public static bool TryParse(string text, out UsageScope scope)
    {
        scope = default;
        var parts = text.Split('/', 3);
        if (parts.Length != 3 || !Enum.TryParse<UsageScopeKind>(parts[0], ignoreCase: true, out var kind)
            || !DateOnly.TryParseExact(parts[1], "yyyy-MM-dd", out var day) || parts[2].Length == 0)
        {
            return false;
        }
        scope = new UsageScope(kind, day, parts[2]);
        return true;
    }
}
