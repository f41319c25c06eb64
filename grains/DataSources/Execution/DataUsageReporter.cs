using System.Collections.Concurrent;
using Mcp.Cluster.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.DataSources.Execution;

/// <summary>
/// Collects what this silo's executors did per source and sends it to each source's grain in batches, every
/// <see cref="DataSourceGrainOptions.UsageReportInterval"/> and when the silo stops (while grain calls still work), so a
/// normal shutdown or an executor's deactivation loses nothing; a silo that crashes loses at most one interval of
/// counters (never audit entries: those are committed before a read answers). A report that cannot be delivered is
/// kept for the next one.
/// </summary>
public sealed class DataUsageReporter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    McpMetrics metrics,
    IOptions<DataSourceGrainOptions> options,
    TimeProvider time,
    ILogger<DataUsageReporter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<string, SourceTally> _tallies = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe<DataUsageReporter>(ServiceLifecycleStage.Active, StartAsync, StopAsync);

    /// <summary>A read of <paramref name="source"/> starts (<paramref name="label"/>: its metrics label).</summary>
    public void Started(string source, string label)
    {
        Tally(source).Started();
        metrics.QueryStarted(label);
    }

    public void Ended(string source, string label)
    {
        Tally(source).Ended();
        metrics.QueryEnded(label);
    }

    public void Read(string source, string keyId, bool counted, int rows, bool? hit) => Tally(source).Read(keyId, Today, counted, rows, hit);

    public void Denied(string source, string keyId) => Tally(source).Denied(keyId, Today);

    public void Failed(string source) => Tally(source).Failed();

    /// <summary>Sends what this silo counted for <paramref name="source"/> now (before a status or usage answer).</summary>
    public Task FlushAsync(string source) => _tallies.TryGetValue(source, out var tally) ? SendAsync(source, tally) : Task.CompletedTask;

    private SourceTally Tally(string source) => _tallies.GetOrAdd(source, static _ => new SourceTally());

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop;
        await FlushAllAsync();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(options.Value.UsageReportInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await FlushAllAsync();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private Task FlushAllAsync() => Task.WhenAll(_tallies.Select(e => SendAsync(e.Key, e.Value)));

    private async Task SendAsync(string source, SourceTally tally)
    {
        if (tally.Take(silo.SiloAddress.ToString(), time.GetUtcNow()) is not { } report)
        {
            return;
        }
        try
        {
            await grains.GetGrain<IDataSourceGrain>(source).ReportAsync(report);
        }
        catch (Exception e)
        {
            tally.Restore(report);
            logger.LogWarning(e, "Reporting data source {Source} usage failed; it goes with the next report", source);
        }
    }
}
