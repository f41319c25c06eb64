using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Insights;

/// <summary>
/// Collects the shapes of the reads this silo's executors complete, per source, and sends them to each source's
/// <see cref="IDataQueryInsightsGrain"/> in batches on <see cref="DataSourceGrainOptions.UsageReportInterval"/> (and
/// when the silo stops), never a grain call per read. A batch that cannot be delivered goes with the next one.
/// </summary>
public sealed class DataInsightsRecorder(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<DataSourceGrainOptions> options,
    TimeProvider time,
    ILogger<DataInsightsRecorder> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Shapes one silo holds per source between two reports.</summary>
    public const int MaxShapesPerReport = 500;

    private readonly ConcurrentDictionary<string, InsightTally> _tallies = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<DataInsightsRecorder>(ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>
    /// A read of an existing source ended. Successes count with their latency, rows and cache use; reads the source
    /// failed (timeout, too large, refused SQL) count as failures. Refusals (invalid, forbidden, quota, not found) are
    /// not counted: their fields and tables were never checked, and they never reached the source.
    /// </summary>
    /// <param name="caching">Whether the source caches results (the read looked the cache up).</param>
    public void Completed(string source, ObservedRead read, DataQueryResult result, double elapsedMs, bool caching)
    {
        var failed = result.Outcome is DataQueryOutcome.Timeout or DataQueryOutcome.TooLarge or DataQueryOutcome.SourceError;
        if (result.Outcome != DataQueryOutcome.Ok && !failed)
        {
            return;
        }
        var shape = read.Query is { } query ? QueryShapes.Of(query, result.Table) : QueryShapes.OfSql(read.Sql ?? "");
        var tally = _tallies.GetOrAdd(source, static _ => new InsightTally(MaxShapesPerReport));
        if (failed)
        {
            tally.Failed(shape, time.GetUtcNow());
        }
        else
        {
            // Raw SQL is never cached (null: caching did not apply).
            bool? hit = read.Query is not null && caching ? result.Cached : null;
            tally.Succeeded(shape, result.ElapsedMs > 0 ? result.ElapsedMs : elapsedMs, result.RowCount, hit, time.GetUtcNow());
        }
    }

    /// <summary>Sends what this silo holds for <paramref name="source"/> now.</summary>
    public Task FlushAsync(string source) => _tallies.TryGetValue(source, out var tally) ? SendAsync(source, tally) : Task.CompletedTask;

    /// <summary>Forgets what this silo holds for a deleted source.</summary>
    public void Forget(string source) => _tallies.TryRemove(source, out _);

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        await Task.WhenAll(_tallies.Select(e => SendAsync(e.Key, e.Value)));
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(options.Value.UsageReportInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await Task.WhenAll(_tallies.Select(e => SendAsync(e.Key, e.Value)));
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task SendAsync(string source, InsightTally tally)
    {
        if (tally.Take() is not { } deltas)
        {
            return;
        }
        try
        {
            await grains.GetGrain<IDataQueryInsightsGrain>(source).RecordAsync(new DataInsightsBatch(silo.SiloAddress.ToString(), time.GetUtcNow(), deltas));
        }
        catch (Exception e)
        {
            tally.Restore(deltas);
            logger.LogWarning(e, "Reporting data source {Source} query insights failed; they go with the next report", source);
        }
    }
}
