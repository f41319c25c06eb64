namespace Mcp.Cluster.Alerts.Channels;

/// <summary>A receiver refused a notification; the message says how, without the receiver's URL.</summary>
public sealed class AlertDeliveryException(string message) : Exception(message);
