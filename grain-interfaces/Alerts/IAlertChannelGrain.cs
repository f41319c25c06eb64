using Orleans.Concurrency;

namespace Mcp.Cluster.Alerts;

/// <summary>One notification channel (key: its name): its encrypted configuration, deliveries with retries, and their log.</summary>
[Alias("mcp.alert-channel")]
public interface IAlertChannelGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the channel; a secret left null keeps the stored one. Null when a required secret is missing.</summary>
    [Alias("set")]
    Task<AlertChannelInfo?> SetAsync(AlertChannelDefinition definition);

    [ReadOnly, AlwaysInterleave, Alias("get")]
    Task<AlertChannelInfo?> GetAsync();

    [Alias("delete")]
    Task<bool> DeleteAsync();

    /// <summary>Delivers with retries; one-way, so the evaluator never waits on a slow receiver.</summary>
    [OneWay, Alias("deliver")]
    Task DeliverAsync(AlertNotification notification);

    /// <summary>Delivers a test notification now and reports the outcome.</summary>
    [Alias("test")]
    Task<AlertDelivery?> TestAsync();
}
