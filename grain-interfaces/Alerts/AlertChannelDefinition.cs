namespace Mcp.Cluster.Alerts;

/// <summary>
/// A notification channel. Secrets (the Slack webhook URL, the PagerDuty routing key, the webhook signing secret, the
/// SMTP password) arrive here in clear from the admin API and are kept only encrypted by the channel grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertChannelDefinition")]
public sealed record AlertChannelDefinition(
    [property: Id(0)] AlertChannelKind Kind,
    [property: Id(1)] bool Enabled,
    [property: Id(2)] string? Url = null,
    [property: Id(3)] string? Secret = null,
    [property: Id(4)] string? RoutingKey = null,
    [property: Id(5)] string? SmtpHost = null,
    [property: Id(6)] int SmtpPort = 0,
    [property: Id(7)] SmtpSecurity SmtpSecurity = SmtpSecurity.StartTls,
    [property: Id(8)] string? SmtpUsername = null,
    [property: Id(9)] string? SmtpPassword = null,
    [property: Id(10)] string? From = null,
    [property: Id(11)] IReadOnlyList<string>? To = null);
