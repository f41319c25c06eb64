namespace Mcp.Cluster.DataSources;

/// <summary>
/// Reads of one source running across the cluster, as each silo's executors last reported them (for the
/// concurrent-queries alert). A silo that stops reporting (it died, or its reads ended and it said so) counts no longer
/// after three report intervals. Owned by the source's grain and only touched on its scheduler.
/// </summary>
public sealed class ActiveReadsBySilo(DataSourceGrainOptions options, TimeProvider time)
{
    private readonly Dictionary<string, (int Active, DateTimeOffset At)> _bySilo = new(StringComparer.Ordinal);

    public void Reported(DataUsageReport report) => _bySilo[report.Reporter] = (report.ActiveQueries, time.GetUtcNow());

    public int Count()
    {
        var now = time.GetUtcNow();
        var horizon = options.UsageReportInterval * 3 + TimeSpan.FromSeconds(1);
        foreach (var gone in _bySilo.Where(e => now - e.Value.At > horizon).Select(e => e.Key).ToArray())
        {
            _bySilo.Remove(gone);
        }
        return _bySilo.Values.Sum(v => v.Active);
    }
}
