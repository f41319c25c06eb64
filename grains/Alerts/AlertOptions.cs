using Mcp.Cluster.Hosting;
using System.ComponentModel.DataAnnotations;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// Bound from <c>Alerts</c> on silos. The thresholds seed the four default rules the first time the evaluator starts;
/// after that the rules are changed through <c>PUT /api/alerts/rules/{name}</c> and kept in grain storage.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    public bool Enabled { get; set; } = true;

    [Positive]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Resolution of the evaluator's sliding window of usage events.</summary>
    [Positive]
    public TimeSpan BucketWidth { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest window a rule may use.</summary>
    [Positive]
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Resolved alerts kept for <c>GET /api/alerts</c>.</summary>
    [NonNegative]
    public int ResolvedHistory { get; set; } = 200;

    [Positive]
    public double SlowQuerySeconds { get; set; } = 5;
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; } = 0.10;
    [Range(0.0, 1.0)]
    public double CacheMissRate { get; set; } = 0.40;
    [Positive]
    public double ConcurrentQueries { get; set; } = 100;

    [Positive]
    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromMinutes(5);
    [NonNegative]
    public TimeSpan DefaultFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts per notification and channel (the first included), with doubling delays between them.</summary>
    [Positive]
    public int DeliveryAttempts { get; set; } = 3;
    [NonNegative]
    public TimeSpan DeliveryRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    [Positive]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries kept per channel for <c>GET /api/alerts/channels/{name}</c>.</summary>
    [NonNegative]
    public int DeliveryHistory { get; set; } = 50;

    /// <summary>Where PagerDuty channels send unless they name their own URL (e.g. the EU service region).</summary>
    [Required]
    public string PagerDutyEventsUrl { get; set; } = "https://events.pagerduty.com/v2/enqueue";

    public IReadOnlyList<AlertRule> DefaultRules() =>
    [
        new("slow_queries", AlertRuleKind.SlowQueries, SlowQuerySeconds, DefaultWindow, DefaultFor, 5, "warning", null, true,
            Description: "The 95th percentile of reads of a data source is above the threshold (seconds)."),
        new("error_rate", AlertRuleKind.ErrorRate, ErrorRate, DefaultWindow, DefaultFor, 20, "critical", null, true,
            Description: "The share of requests answered with a 5xx status is above the threshold."),
        new("cache_miss_rate", AlertRuleKind.CacheMissRate, CacheMissRate, TimeSpan.FromMinutes(15), DefaultFor, 20, "info", null, true,
            Description: "The share of query-cache lookups of a data source that missed is above the threshold."),
        new("concurrent_queries", AlertRuleKind.ConcurrentQueries, ConcurrentQueries, DefaultWindow, DefaultFor, 1, "warning", null, true,
            Description: "More reads of data sources are running at once than the threshold."),
    ];
}
