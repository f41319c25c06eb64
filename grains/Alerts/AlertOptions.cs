namespace Mcp.Cluster.Alerts;

/// <summary>
/// Bound from <c>Alerts</c> on silos. The thresholds seed the four default rules the first time the evaluator starts;
/// after that the rules are changed through <c>PUT /api/alerts/rules/{name}</c> and kept in grain storage.
/// </summary>
public sealed class AlertOptions
{
    public const string Section = "Alerts";

    public bool Enabled { get; set; } = true;

    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Resolution of the evaluator's sliding window of usage events.</summary>
    public TimeSpan BucketWidth { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest window a rule may use.</summary>
    public TimeSpan MaxWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Resolved alerts kept for <c>GET /api/alerts</c>.</summary>
    public int ResolvedHistory { get; set; } = 200;

    public double SlowQuerySeconds { get; set; } = 5;
    public double ErrorRate { get; set; } = 0.10;
    public double CacheMissRate { get; set; } = 0.40;
    public double ConcurrentQueries { get; set; } = 100;

    public TimeSpan DefaultWindow { get; set; } = TimeSpan.FromMinutes(5);
    public TimeSpan DefaultFor { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Attempts per notification and channel (the first included), with doubling delays between them.</summary>
    public int DeliveryAttempts { get; set; } = 3;
    public TimeSpan DeliveryRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries kept per channel for <c>GET /api/alerts/channels/{name}</c>.</summary>
    public int DeliveryHistory { get; set; } = 50;

    /// <summary>Where PagerDuty channels send unless they name their own URL (e.g. the EU service region).</summary>
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
