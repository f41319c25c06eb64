namespace Mcp.Cluster.Alerts;

public enum AlertChannelKind
{
    /// <summary>A JSON POST to any URL, signed with HMAC-SHA256 when a secret is set.</summary>
    Webhook,

    /// <summary>A Slack incoming webhook.</summary>
    Slack,

    /// <summary>The PagerDuty Events API v2 (trigger and resolve, deduplicated by the alert's fingerprint).</summary>
    PagerDuty,

    /// <summary>Email over SMTP.</summary>
    Email,
}
