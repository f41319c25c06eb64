using System.Text.Json;

namespace Mcp.Cluster.Alerts.Channels;

/// <summary>
/// The PagerDuty Events API v2: a <c>trigger</c> when an alert fires and a <c>resolve</c> with the same
/// <c>dedup_key</c> (the alert's fingerprint) when it resolves, so PagerDuty opens one incident and closes it.
/// PagerDuty answers 202 with <c>{"status":"success"}</c>; 400 means the event was invalid, 429 to slow down.
/// </summary>
public static class PagerDutyAlertSender
{
    public static Task SendAsync(HttpClient http, string url, AlertChannelDefinition channel, AlertNotification n, CancellationToken cancellationToken)
    {
        var alert = n.Alert;
        object body = n.Event == AlertNotification.Resolved
            ? new { routing_key = channel.RoutingKey, event_action = "resolve", dedup_key = alert.Fingerprint }
            : new
            {
                routing_key = channel.RoutingKey,
                event_action = "trigger",
                dedup_key = alert.Fingerprint,
                payload = new
                {
                    summary = n.Summary.Length <= 1024 ? n.Summary : n.Summary[..1024],
                    source = alert.Subject,
                    severity = Severity(alert.Severity),
                    timestamp = alert.FiredAt ?? n.At,
                    component = "mcp-cluster",
                    group = alert.Rule,
                    @class = WebhookAlertSender.JsonNaming(alert.Kind.ToString()),
                    custom_details = new { value = alert.Value, threshold = alert.Threshold, description = n.Description, breaching_since = alert.BreachingSince },
                },
            };
        return AlertSenders.PostJsonAsync(http, url, JsonSerializer.SerializeToUtf8Bytes(body), [], "PagerDuty", cancellationToken);
    }

    // PagerDuty knows critical, error, warning and info.
    private static string Severity(string severity) => severity is "critical" or "error" or "warning" or "info" ? severity : "warning";
}
