using System.Text.Json.Serialization;
using Mcp.Cluster.Alerts;
using Mcp.Cluster.Gateway.Models;

namespace Mcp.Cluster.Gateway.Alerts;

/// <summary>Body of <c>PUT /api/alerts/rules/{name}</c>. Unknown fields are refused.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlertRuleRequest
{
    /// <summary>slow_queries (p95 seconds per source), error_rate (5xx share), cache_miss_rate (per source), concurrent_queries.</summary>
    public string? Kind { get; init; }
    public double? Threshold { get; init; }
    public int? WindowSeconds { get; init; }
    public int? ForSeconds { get; init; }
    public long? MinSamples { get; init; }
    public string? Severity { get; init; }
    /// <summary>Channel names to notify; omitted or null: every channel; empty: none.</summary>
    public string[]? Channels { get; init; }
    public bool? Enabled { get; init; }
    /// <summary>Limit a per-source rule to one data source.</summary>
    public string? Source { get; init; }
    public int? RepeatIntervalSeconds { get; init; }
    public string? Description { get; init; }
}

public sealed record AlertRuleResponse(
    string Name, string Kind, double Threshold, int WindowSeconds, int ForSeconds, long MinSamples, string Severity,
    IReadOnlyList<string>? Channels, bool Enabled, string? Source, int? RepeatIntervalSeconds, string? Description)
{
    public static AlertRuleResponse From(AlertRule r) => new(
        r.Name, ModelNames.Of(r.Kind), r.Threshold, (int)r.Window.TotalSeconds, (int)r.For.TotalSeconds, r.MinSamples, r.Severity,
        r.Channels, r.Enabled, r.Source, r.RepeatInterval is { } repeat ? (int)repeat.TotalSeconds : null, r.Description);
}

public sealed record AlertRuleListResponse(IReadOnlyList<AlertRuleResponse> Rules);

public sealed record AlertResponse(
    string Fingerprint, string Rule, string Kind, string Subject, string Severity, string Status, double Value, double Threshold,
    DateTimeOffset BreachingSince, DateTimeOffset? FiredAt, DateTimeOffset? ResolvedAt, DateTimeOffset? LastNotifiedAt, int Notifications)
{
    public static AlertResponse From(AlertInstance a) => new(
        a.Fingerprint, a.Rule, ModelNames.Of(a.Kind), a.Subject, a.Severity, ModelNames.Of(a.Status), Math.Round(a.Value, 6), a.Threshold,
        a.BreachingSince, a.FiredAt, a.ResolvedAt, a.LastNotifiedAt, a.Notifications);
}

public sealed record AlertOverviewResponse(IReadOnlyList<AlertResponse> Active, IReadOnlyList<AlertResponse> Resolved, DateTimeOffset? LastEvaluatedAt)
{
    public static AlertOverviewResponse From(AlertOverview o) =>
        new(o.Active.Select(AlertResponse.From).ToArray(), o.Resolved.Select(AlertResponse.From).ToArray(), o.LastEvaluatedAt);
}

/// <summary>Body of <c>PUT /api/alerts/channels/{name}</c>. A secret left out keeps the stored one.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AlertChannelRequest
{
    /// <summary>webhook, slack, pager_duty or email.</summary>
    public string? Type { get; init; }
    public bool? Enabled { get; init; }
    /// <summary>webhook: where to POST; slack: the incoming-webhook URL (a secret); pager_duty: optional Events API URL.</summary>
    public string? Url { get; init; }
    /// <summary>webhook: HMAC-SHA256 signing secret.</summary>
    public string? Secret { get; init; }
    /// <summary>pager_duty: the integration's routing key.</summary>
    public string? RoutingKey { get; init; }
    public SmtpRequest? Smtp { get; init; }
    public string? From { get; init; }
    public string[]? To { get; init; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SmtpRequest
{
    public string? Host { get; init; }
    public int? Port { get; init; }
    /// <summary>none, start_tls (default) or tls.</summary>
    public string? Security { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
}

public sealed record AlertChannelResponse(
    string Name, string Type, bool Enabled, string? Url, bool SecretSet, bool RoutingKeySet, SmtpResponse? Smtp, string? From,
    IReadOnlyList<string> To, DateTimeOffset UpdatedAt, IReadOnlyList<AlertDeliveryResponse> RecentDeliveries)
{
    public static AlertChannelResponse Of(AlertChannelInfo c) => new(
        c.Name, ModelNames.Of(c.Kind), c.Enabled, c.Url, c.HasSecret, c.HasRoutingKey,
        c.Kind == AlertChannelKind.Email ? new SmtpResponse(c.SmtpHost, c.SmtpPort, ModelNames.Of(c.SmtpSecurity), c.SmtpUsername, c.HasSmtpPassword) : null,
        c.From, c.To, c.UpdatedAt, c.RecentDeliveries.Select(AlertDeliveryResponse.From).ToArray());
}

public sealed record SmtpResponse(string? Host, int Port, string Security, string? Username, bool PasswordSet);

public sealed record AlertDeliveryResponse(DateTimeOffset At, string Event, string Fingerprint, bool Delivered, int Attempts, string? Error)
{
    public static AlertDeliveryResponse From(AlertDelivery d) => new(d.At, d.Event, d.Fingerprint, d.Delivered, d.Attempts, d.Error);
}

public sealed record AlertChannelListResponse(IReadOnlyList<AlertChannelResponse> Channels);
