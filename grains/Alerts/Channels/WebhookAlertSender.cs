using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Mcp.Cluster.Alerts.Channels;

/// <summary>
/// The generic webhook: a JSON POST of the alert. With a secret set, <c>X-Mcp-Signature: t=…,v1=…</c> carries an
/// HMAC-SHA256 over <c>{t}.{body}</c> (t in Unix seconds), so a receiver can check origin and reject replays.
/// </summary>
public static class WebhookAlertSender
{
    public static Task SendAsync(HttpClient http, AlertChannelDefinition channel, AlertNotification n, TimeProvider time, CancellationToken cancellationToken)
    {
        var alert = n.Alert;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["event"] = n.Event,
            ["summary"] = n.Summary,
            ["description"] = n.Description,
            ["sent_at"] = n.At,
            ["alert"] = new Dictionary<string, object?>
            {
                ["fingerprint"] = alert.Fingerprint,
                ["rule"] = alert.Rule,
                ["kind"] = JsonNaming(alert.Kind.ToString()),
                ["subject"] = alert.Subject,
                ["severity"] = alert.Severity,
                ["status"] = JsonNaming(alert.Status.ToString()),
                ["value"] = alert.Value,
                ["threshold"] = alert.Threshold,
                ["breaching_since"] = alert.BreachingSince,
                ["fired_at"] = alert.FiredAt,
                ["resolved_at"] = alert.ResolvedAt,
            },
        });
        var headers = new List<KeyValuePair<string, string>> { new("X-Mcp-Event", "alert." + n.Event) };
        if (channel.Secret is { } secret)
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
            var mac = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
            headers.Add(new("X-Mcp-Signature", $"t={timestamp},v1={mac}"));
        }
        return AlertSenders.PostJsonAsync(http, channel.Url!, body, headers, "The webhook", cancellationToken);
    }

    internal static string JsonNaming(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
