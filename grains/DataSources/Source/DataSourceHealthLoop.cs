using Microsoft.Extensions.Logging;

namespace Mcp.Cluster.DataSources;

/// <summary>
/// Checks one source's connection on the grain's health timer and remembers how the last checks went; a source that
/// failed <see cref="DataSourceGrainOptions.UnhealthyThreshold"/> checks in a row is unhealthy, and a healthy one whose
/// schema was never discovered (or whose last discovery failed) is discovered again. Owned by the source's grain and
/// only touched on its scheduler.
/// </summary>
public sealed class DataSourceHealthLoop(
    string source,
    Func<DataSourceState> state,
    Func<bool> exists,
    DataSourceConnection connection,
    SchemaDiscovery discovery,
    DataSourceGrainOptions options,
    TimeProvider time,
    ILogger logger)
{
    private int _failures;

    /// <summary>How the last check went; null before the first (and after the connection settings changed).</summary>
    public bool? Healthy { get; private set; }

    public DateTimeOffset? LastCheckedAt { get; private set; }

    public double? LastCheckMs { get; private set; }

    public string? LastError { get; private set; }

    public bool Unhealthy => _failures >= options.UnhealthyThreshold;

    /// <summary>The connection settings changed: earlier checks say nothing about the new ones.</summary>
    public void Reset()
    {
        Healthy = null;
        _failures = 0;
    }

    /// <summary>Checks once; false when there was nothing to check (no source, disabled, or no connector).</summary>
    public async Task<bool> CheckAsync()
    {
        if (!exists() || state().Disabled || connection.Connector is not { } connector)
        {
            return false;
        }
        var started = time.GetTimestamp();
        try
        {
            using var timeout = new CancellationTokenSource(options.HealthCheckTimeout, time);
            await connector.CheckHealthAsync(timeout.Token);
            Healthy = true;
            _failures = 0;
            LastError = null;
            if (state().SchemaRefreshedAt is null || discovery.Error is not null)
            {
                await discovery.DiscoverOnceAsync();
            }
        }
        catch (Exception e)
        {
            _failures++;
            Healthy = false;
            LastError = e is OperationCanceledException ? "health check timed out" : e.Message;
            if (_failures == options.UnhealthyThreshold)
            {
                logger.LogWarning(e, "Data source {Source} failed {Count} health checks in a row", source, _failures);
            }
        }
        LastCheckedAt = time.GetUtcNow();
        LastCheckMs = Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 2);
        return true;
    }
}
