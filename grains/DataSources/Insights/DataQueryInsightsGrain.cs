using Mcp.Cluster.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// One source's query shapes (keyed by the source's name), added to from every silo's <see cref="DataInsightsRecorder"/>
/// and written behind on <see cref="DataSourceGrainOptions.UsageFlushInterval"/> and at deactivation (a crash loses
/// at most that much of the counts, never anything a read depends on). Bounded: at most <see cref="MaxShapes"/>
/// shapes, the least recently seen evicted first. Advice is worked out when asked, against the schema as discovered
/// now (<see cref="QuerySuggestions"/>).
/// </summary>
[GrainType("datasource-insights")]
public sealed class DataQueryInsightsGrain(
    [PersistentState("datasource-insights", StorageNames.Default)] IPersistentState<DataInsightsState> insights,
    IOptions<DataSourceGrainOptions> options,
    ILogger<DataQueryInsightsGrain> logger) : Grain, IDataQueryInsightsGrain
{
    public const int MaxShapes = 500;

    /// <summary>How many ids the slowest and frequent lists name.</summary>
    public const int TopShapes = 10;

    private bool _dirty;

    private string Name => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var every = options.Value.UsageFlushInterval;
        this.RegisterGrainTimer(WriteIfDirtyAsync, new GrainTimerCreationOptions(every, every) { KeepAlive = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await WriteIfDirtyAsync(cancellationToken);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Query insights of data source {Source} could not be written at deactivation", Name);
        }
    }

    public Task RecordAsync(DataInsightsBatch batch)
    {
        var state = insights.State;
        foreach (var delta in batch.Shapes)
        {
            if (!state.Shapes.TryGetValue(delta.Shape.Id, out var stats))
            {
                state.Shapes[delta.Shape.Id] = stats = new DataShapeStats { FirstSeen = delta.LastSeen };
            }
            stats.Add(delta);
            state.Queries += delta.Count;
            state.Since ??= batch.At;
        }
        if (state.Shapes.Count > MaxShapes)
        {
            foreach (var old in state.Shapes.OrderBy(s => s.Value.LastSeen).Take(state.Shapes.Count - MaxShapes).Select(s => s.Key).ToArray())
            {
                state.Shapes.Remove(old);
            }
        }
        _dirty = batch.Shapes.Count > 0 || _dirty;
        return Task.CompletedTask;
    }

    public async Task<DataInsightsReport?> GetReportAsync(int limit, DataInsightsSort sort, DataCaller caller)
    {
        var schema = await GrainFactory.GetGrain<IDataSourceGrain>(Name).GetSchemaAsync(caller);
        if (schema is null)
        {
            return null;
        }
        var tables = schema.Tables.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var all = insights.State.Shapes.Values
            .Where(s => s.Shape is not null)
            .Select(s => Insight(s, s.Shape!.Table is { } t ? tables.GetValueOrDefault(t) : null))
            .ToArray();
        var slowest = all.Where(i => i.Count > 0).OrderByDescending(i => i.AvgMs).ThenByDescending(i => i.Count).ThenBy(i => i.Shape.Id, StringComparer.Ordinal).ToArray();
        var frequent = all.OrderByDescending(i => i.Count).ThenByDescending(i => i.LastSeen).ThenBy(i => i.Shape.Id, StringComparer.Ordinal).ToArray();
        var shapes = (sort == DataInsightsSort.Slowest ? slowest.Concat(all.Where(i => i.Count == 0)) : frequent).Take(limit).ToArray();
        return new DataInsightsReport(Name, insights.State.Since, insights.State.Queries, shapes,
            slowest.Take(TopShapes).Select(i => i.Shape.Id).ToArray(), frequent.Take(TopShapes).Select(i => i.Shape.Id).ToArray());
    }

    public async Task ClearAsync()
    {
        _dirty = false;
        if (insights.RecordExists)
        {
            await insights.ClearStateAsync();
        }
        insights.State = new DataInsightsState();
        DeactivateOnIdle();
    }

    private static DataShapeInsight Insight(DataShapeStats s, TableSchema? table) =>
        new(s.Shape!, s.Count, s.Failures,
            AvgMs: s.Count == 0 ? 0 : Math.Round(s.TotalMs / s.Count, 3),
            P95Ms: Math.Round(LatencyHistogram.P95(s.Histogram, s.MaxMs), 3),
            MaxMs: Math.Round(s.MaxMs, 3),
            RowsAvg: s.Count == 0 ? 0 : Math.Round((double)s.RowsTotal / s.Count, 2),
            RowsMax: s.RowsMax,
            CacheHitRate: s.CacheLookups == 0 ? null : Math.Round((double)s.CacheHits / s.CacheLookups, 4),
            LastSeen: s.LastSeen,
            Suggestions: QuerySuggestions.For(s.Shape!, s.Count, s.CacheHits, s.CacheLookups, table),
            IndexesKnown: table?.Indexes is not null);

    private async Task WriteIfDirtyAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        try
        {
            await insights.WriteStateAsync(cancellationToken);
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }
}
