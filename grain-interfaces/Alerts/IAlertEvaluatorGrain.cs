using Orleans.Concurrency;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// The cluster's one alert evaluator (key <see cref="UsageStreamsKey"/>): holds the rules and the alerts' state, keeps
/// a sliding window of every gateway's usage events (implicit subscription to the alert usage stream) and evaluates
/// the rules on a timer, notifying channels when an alert fires or resolves.
/// </summary>
[Alias("mcp.alert-evaluator")]
public interface IAlertEvaluatorGrain : IGrainWithStringKey
{
    public const string UsageStreamsKey = Usage.UsageStreams.AlertsKey;

    /// <summary>Activates the evaluator and its keep-alive reminder; silos call it at start-up.</summary>
    [Alias("start")]
    Task StartAsync();

    [ReadOnly, AlwaysInterleave, Alias("rules")]
    Task<IReadOnlyList<AlertRule>> GetRulesAsync();

    [Alias("set-rule")]
    Task SetRuleAsync(AlertRule rule);

    [Alias("delete-rule")]
    Task<bool> DeleteRuleAsync(string name);

    [ReadOnly, AlwaysInterleave, Alias("alerts")]
    Task<AlertOverview> GetAlertsAsync();

    /// <summary>Evaluates the rules now instead of waiting for the timer.</summary>
    [Alias("evaluate")]
    Task EvaluateAsync();
}
