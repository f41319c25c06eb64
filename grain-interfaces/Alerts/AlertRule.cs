namespace Mcp.Cluster.Alerts;

/// <summary>
/// One alert rule. It breaches when its measure is above <see cref="Threshold"/> with at least <see cref="MinSamples"/>
/// observations in <see cref="Window"/>, fires once it has breached for <see cref="For"/>, and resolves on the first
/// evaluation it no longer breaches. <see cref="Channels"/> null means every channel; empty means none.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertRule")]
public sealed record AlertRule(
    [property: Id(0)] string Name,
    [property: Id(1)] AlertRuleKind Kind,
    [property: Id(2)] double Threshold,
    [property: Id(3)] TimeSpan Window,
    [property: Id(4)] TimeSpan For,
    [property: Id(5)] long MinSamples,
    [property: Id(6)] string Severity,
    [property: Id(7)] IReadOnlyList<string>? Channels,
    [property: Id(8)] bool Enabled,
    [property: Id(9)] string? Source = null,
    [property: Id(10)] TimeSpan? RepeatInterval = null,
    [property: Id(11)] string? Description = null);
