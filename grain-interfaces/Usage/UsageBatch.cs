namespace Mcp.Cluster.Usage;

/// <summary>
/// The events a gateway collected for one stream during one flush interval, every event kept, stored by column: the
/// key, model, source, route and protocol of each event are indexes into <see cref="Strings"/>, where each distinct
/// value appears once. A flush repeats the same few keys and routes thousands of times; as objects the batches cost
/// about 120 bytes per event per stream in the silos' stream caches, by column about a fifth of that.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.UsageBatch")]
public sealed class UsageBatch
{
    [Id(0)] public required string[] Strings { get; init; }
    [Id(1)] public required long[] AtUtcTicks { get; init; }
    /// <summary>Index into <see cref="Strings"/> plus one; 0 for none.</summary>
    [Id(2)] public required int[] Keys { get; init; }
    [Id(3)] public required int[] Models { get; init; }
    [Id(4)] public required int[] Sources { get; init; }
    [Id(5)] public required int[] Routes { get; init; }
    [Id(6)] public required int[] Protocols { get; init; }
    [Id(7)] public required int[] Statuses { get; init; }
    [Id(8)] public required float[] LatenciesMs { get; init; }
    [Id(9)] public required long[] PromptTokens { get; init; }
    [Id(10)] public required long[] CompletionTokens { get; init; }
    [Id(11)] public required long[] Rows { get; init; }
    /// <summary>1 hit, 0 miss, -1 no cache lookup.</summary>
    [Id(12)] public required sbyte[] CacheHits { get; init; }

    public int Count => AtUtcTicks.Length;

    public IEnumerable<UsageEvent> Events
    {
        get
        {
            for (var i = 0; i < Count; i++)
            {
                yield return new UsageEvent(new DateTimeOffset(AtUtcTicks[i], TimeSpan.Zero), At(Keys[i]), At(Models[i]), At(Sources[i]),
                    At(Routes[i]) ?? "", At(Protocols[i]) ?? "", Statuses[i], LatenciesMs[i], PromptTokens[i], CompletionTokens[i], Rows[i],
                    CacheHits[i] switch { 1 => true, 0 => false, _ => null });
            }
        }
    }

    public static UsageBatch Of(IReadOnlyList<UsageEvent> events)
    {
        var strings = new List<string>();
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        int Index(string? value)
        {
            if (value is null)
            {
                return 0;
            }
            if (!indexes.TryGetValue(value, out var index))
            {
                strings.Add(value);
                indexes[value] = index = strings.Count;
            }
            return index;
        }
        var n = events.Count;
        long[] at = new long[n], prompt = new long[n], completion = new long[n], rows = new long[n];
        int[] keys = new int[n], models = new int[n], sources = new int[n], routes = new int[n], protocols = new int[n], statuses = new int[n];
        var latencies = new float[n];
        var cacheHits = new sbyte[n];
        for (var i = 0; i < n; i++)
        {
            var e = events[i];
            at[i] = e.At.UtcTicks;
            keys[i] = Index(e.KeyId);
            models[i] = Index(e.ModelId);
            sources[i] = Index(e.Source);
            routes[i] = Index(e.Route);
            protocols[i] = Index(e.Protocol);
            statuses[i] = e.Status;
            latencies[i] = (float)e.LatencyMs;
            prompt[i] = e.PromptTokens;
            completion[i] = e.CompletionTokens;
            rows[i] = e.Rows;
            cacheHits[i] = e.CacheHit switch { true => 1, false => 0, null => -1 };
        }
        return new UsageBatch
        {
            Strings = [.. strings],
            AtUtcTicks = at,
            Keys = keys,
            Models = models,
            Sources = sources,
            Routes = routes,
            Protocols = protocols,
            Statuses = statuses,
            LatenciesMs = latencies,
            PromptTokens = prompt,
            CompletionTokens = completion,
            Rows = rows,
            CacheHits = cacheHits,
        };
    }

    private string? At(int index) => index == 0 ? null : Strings[index - 1];
}
