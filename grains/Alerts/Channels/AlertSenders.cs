using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Alerts.Channels;

/// <summary>Sends a notification on a channel of any kind. One HTTP client, pooled, serves every HTTP channel.</summary>
public sealed class AlertSenders(HttpClient http, IOptionsMonitor<AlertOptions> options, TimeProvider time)
{
    public Task SendAsync(AlertChannelDefinition channel, AlertNotification notification, CancellationToken cancellationToken) => channel.Kind switch
    {
        AlertChannelKind.Webhook => WebhookAlertSender.SendAsync(http, channel, notification, time, cancellationToken),
        AlertChannelKind.Slack => SlackAlertSender.SendAsync(http, channel, notification, cancellationToken),
        AlertChannelKind.PagerDuty => PagerDutyAlertSender.SendAsync(http, channel.Url ?? options.CurrentValue.PagerDutyEventsUrl, channel, notification, cancellationToken),
        AlertChannelKind.Email => EmailAlertSender.SendAsync(channel, notification, cancellationToken),
        _ => throw new AlertDeliveryException($"Unknown channel kind {channel.Kind}."),
    };

    /// <summary>Posts JSON and turns anything but a 2xx answer into an <see cref="AlertDeliveryException"/>.</summary>
    internal static async Task PostJsonAsync(HttpClient http, string url, byte[] body, IEnumerable<KeyValuePair<string, string>> headers,
        string receiver, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new AlertDeliveryException($"{receiver} answered HTTP {(int)response.StatusCode}: {Truncate(text)}");
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
