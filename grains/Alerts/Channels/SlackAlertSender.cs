using System.Text.Json;

namespace Mcp.Cluster.Alerts.Channels;

/// <summary>
/// A Slack incoming webhook: <c>text</c> (the fallback Slack shows in notifications) plus Block Kit blocks with the
/// details. Slack answers 200 <c>ok</c>, or an error status with a reason such as <c>invalid_payload</c>.
/// </summary>
public static class SlackAlertSender
{
    public static Task SendAsync(HttpClient http, AlertChannelDefinition channel, AlertNotification n, CancellationToken cancellationToken)
    {
        var alert = n.Alert;
        var emoji = n.Event switch
        {
            AlertNotification.Resolved => ":white_check_mark:",
            AlertNotification.Test => ":information_source:",
            _ => alert.Severity == "critical" ? ":rotating_light:" : ":warning:",
        };
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            text = $"{emoji} {n.Summary}",
            blocks = new object[]
            {
                new { type = "section", text = new { type = "mrkdwn", text = $"{emoji} *{Escape(n.Summary)}*\n{Escape(n.Description)}" } },
                new
                {
                    type = "context",
                    elements = new object[]
                    {
                        new { type = "mrkdwn", text = $"severity: *{Escape(alert.Severity)}* · rule: `{Escape(alert.Rule)}` · subject: `{Escape(alert.Subject)}` · since {alert.BreachingSince:u}" },
                    },
                },
            },
        });
        return AlertSenders.PostJsonAsync(http, channel.Url!, body, [], "Slack", cancellationToken);
    }

    // Slack's mrkdwn treats these three as control characters.
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
