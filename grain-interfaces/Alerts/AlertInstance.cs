namespace Mcp.Cluster.Alerts;

/// <summary>
/// One alert: a rule breaching for one subject (a data source, or <c>cluster</c>). <see cref="Fingerprint"/>
/// (<c>rule/subject</c>) is its identity across evaluations, used to deduplicate notifications and, for PagerDuty, as
/// the dedup key that lets the resolve close the incident the trigger opened. <see cref="NotifiedChannels"/> are the
/// channels told it fired; they, and only they, are told it resolved, whatever became of the rule meanwhile.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertInstance")]
public sealed record AlertInstance(
    [property: Id(0)] string Fingerprint,
    [property: Id(1)] string Rule,
    [property: Id(2)] AlertRuleKind Kind,
    [property: Id(3)] string Subject,
    [property: Id(4)] string Severity,
    [property: Id(5)] AlertStatus Status,
    [property: Id(6)] double Value,
    [property: Id(7)] double Threshold,
    [property: Id(8)] DateTimeOffset BreachingSince,
    [property: Id(9)] DateTimeOffset? FiredAt = null,
    [property: Id(10)] DateTimeOffset? ResolvedAt = null,
    [property: Id(11)] DateTimeOffset? LastNotifiedAt = null,
    [property: Id(12)] int Notifications = 0,
    [property: Id(13)] IReadOnlyList<string>? NotifiedChannels = null);
