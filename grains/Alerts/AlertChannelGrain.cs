using Mcp.Cluster.Alerts.Channels;
using Mcp.Cluster.Catalogs;
using Mcp.Cluster.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Alerts;

/// <summary>
/// One notification channel. Secrets are stored encrypted with ASP.NET Core Data Protection (the key ring the silos
/// share for model secrets) and decrypted only to send. Deliveries run one at a time per channel, so a channel sees an
/// alert's firing before its resolution, and are retried with doubling delays; the outcome of each is kept.
/// </summary>
[GrainType("alertchannel")]
public sealed class AlertChannelGrain(
    [PersistentState("alert-channel", StorageNames.Default)] IPersistentState<AlertChannelState> channel,
    IDataProtectionProvider dataProtection,
    AlertSenders senders,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertChannelGrain> logger) : Grain, IAlertChannelGrain
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Mcp.Cluster.Alerts.Channels.v1");
    private readonly AlertOptions _options = options.Value;

    private string Name => this.GetPrimaryKeyString();

    public async Task<AlertChannelInfo?> SetAsync(AlertChannelDefinition definition)
    {
        var stored = channel.State.Definition;
        // A secret left out keeps the stored one, but only on a channel of the same kind.
        var previous = stored?.Kind == definition.Kind ? stored : null;
        var protectedDefinition = definition with
        {
            Url = definition.Kind == AlertChannelKind.Slack ? Keep(definition.Url, previous?.Url) : definition.Url,
            Secret = Keep(definition.Secret, previous?.Secret),
            RoutingKey = Keep(definition.RoutingKey, previous?.RoutingKey),
            SmtpPassword = Keep(definition.SmtpPassword, previous?.SmtpPassword),
        };
        var missing = definition.Kind switch
        {
            AlertChannelKind.Slack => protectedDefinition.Url is null,
            AlertChannelKind.PagerDuty => protectedDefinition.RoutingKey is null,
            _ => false,
        };
        if (missing)
        {
            return null;
        }
        var created = stored is null;
        channel.State.Definition = protectedDefinition;
        channel.State.UpdatedAt = time.GetUtcNow();
        await channel.WriteStateAsync();
        if (created)
        {
            await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.AlertChannels).AddAsync(Name);
        }
        return Info();
    }

    public Task<AlertChannelInfo?> GetAsync() => Task.FromResult(channel.State.Definition is null ? null : Info());

    public async Task<bool> DeleteAsync()
    {
        if (channel.State.Definition is null)
        {
            return false;
        }
        await GrainFactory.GetGrain<INameCatalogGrain>(NameCatalogs.AlertChannels).RemoveAsync(Name);
        await channel.ClearStateAsync();
        channel.State = new AlertChannelState();
        return true;
    }

    public async Task DeliverAsync(AlertNotification notification)
    {
        if (channel.State.Definition is { Enabled: true })
        {
            await SendAsync(notification);
        }
    }

    public async Task<AlertDelivery?> TestAsync()
    {
        if (channel.State.Definition is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var alert = new AlertInstance($"test/{Name}", "test", AlertRuleKind.ErrorRate, "cluster", "info", AlertStatus.Firing, 0, 0, now, now);
        return await SendAsync(new AlertNotification(AlertNotification.Test, alert,
            $"[TEST] MCP Cluster notification channel '{Name}' works", "A test notification sent from the MCP Cluster admin API.", now));
    }

    private async Task<AlertDelivery> SendAsync(AlertNotification notification)
    {
        var attempts = 0;
        string? error = null;
        var delay = _options.DeliveryRetryDelay;
        while (true)
        {
            attempts++;
            try
            {
                using var timeout = new CancellationTokenSource(_options.DeliveryTimeout);
                await senders.SendAsync(Revealed(), notification, timeout.Token);
                error = null;
                break;
            }
            catch (Exception e)
            {
                // Messages never carry the channel's URL: for Slack it is the secret.
                error = e switch
                {
                    OperationCanceledException => $"No answer within {_options.DeliveryTimeout.TotalSeconds:0.#} s.",
                    System.Security.Cryptography.CryptographicException => "A stored secret cannot be decrypted; the Data Protection key ring differs on this silo.",
                    _ => e.Message,
                };
                if (attempts >= _options.DeliveryAttempts || e is System.Security.Cryptography.CryptographicException)
                {
                    break;
                }
                await Task.Delay(delay, time);
                delay *= 2;
            }
        }
        var delivery = new AlertDelivery(time.GetUtcNow(), notification.Event, notification.Alert.Fingerprint, error is null, attempts, error);
        if (error is not null)
        {
            logger.LogWarning("Alert channel {Channel} could not deliver {Event} of {Fingerprint} after {Attempts} attempts: {Error}",
                Name, notification.Event, notification.Alert.Fingerprint, attempts, error);
        }
        channel.State.Deliveries.Insert(0, delivery);
        if (channel.State.Deliveries.Count > _options.DeliveryHistory)
        {
            channel.State.Deliveries.RemoveRange(_options.DeliveryHistory, channel.State.Deliveries.Count - _options.DeliveryHistory);
        }
        await channel.WriteStateAsync();
        return delivery;
    }

    private string? Keep(string? value, string? stored) => value is null ? stored : _protector.Protect(value);

    private AlertChannelDefinition Revealed()
    {
        var d = channel.State.Definition!;
        return d with
        {
            Url = d.Kind == AlertChannelKind.Slack ? Reveal(d.Url) : d.Url,
            Secret = Reveal(d.Secret),
            RoutingKey = Reveal(d.RoutingKey),
            SmtpPassword = Reveal(d.SmtpPassword),
        };
    }

    private string? Reveal(string? cipher) => cipher is null ? null : _protector.Unprotect(cipher);

    private AlertChannelInfo Info()
    {
        var d = channel.State.Definition!;
        return new AlertChannelInfo(Name, d.Kind, d.Enabled,
            d.Kind == AlertChannelKind.Slack ? (d.Url is null ? null : "********") : d.Url,
            d.Secret is not null, d.RoutingKey is not null, d.SmtpHost, d.SmtpPort, d.SmtpSecurity, d.SmtpUsername,
            d.SmtpPassword is not null, d.From, d.To ?? [], channel.State.UpdatedAt, channel.State.Deliveries.ToArray());
    }
}
