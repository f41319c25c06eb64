using System.Globalization;

namespace Mcp.Cluster.Alerts;

/// <summary>How alerts read in notifications: one summary line, the measure in its natural unit.</summary>
public static class AlertText
{
    public static string Summary(AlertInstance alert)
    {
        var state = alert.Status == AlertStatus.Resolved ? "resolved" : "firing";
        var measure = alert.Kind switch
        {
            AlertRuleKind.SlowQueries => $"p95 read latency {Seconds(alert.Value)} (threshold {Seconds(alert.Threshold)})",
            AlertRuleKind.ErrorRate => $"5xx share {Percent(alert.Value)} (threshold {Percent(alert.Threshold)})",
            AlertRuleKind.CacheMissRate => $"cache miss rate {Percent(alert.Value)} (threshold {Percent(alert.Threshold)})",
            AlertRuleKind.ConcurrentQueries => $"{alert.Value.ToString("0", CultureInfo.InvariantCulture)} reads running (threshold {alert.Threshold.ToString("0", CultureInfo.InvariantCulture)})",
            _ => alert.Value.ToString(CultureInfo.InvariantCulture),
        };
        return $"[{state.ToUpperInvariant()}] {alert.Rule} on {alert.Subject}: {measure}";
    }

    public static string Describe(AlertRuleKind kind) => kind switch
    {
        AlertRuleKind.SlowQueries => "Reads of a data source are slow.",
        AlertRuleKind.ErrorRate => "Many requests fail with a server error.",
        AlertRuleKind.CacheMissRate => "The query cache misses often.",
        AlertRuleKind.ConcurrentQueries => "Many reads of data sources are running at once.",
        _ => "",
    };

    private static string Seconds(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " s";

    private static string Percent(double value) => (value * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
