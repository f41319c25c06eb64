namespace Mcp.Cluster.Alerts;

/// <summary>A channel as admins see it: secrets only as whether they are set, and its latest deliveries.</summary>
[GenerateSerializer, Immutable, Alias("mcp.AlertChannelInfo")]
public sealed record AlertChannelInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] AlertChannelKind Kind,
    [property: Id(2)] bool Enabled,
    [property: Id(3)] string? Url,
    [property: Id(4)] bool HasSecret,
    [property: Id(5)] bool HasRoutingKey,
    [property: Id(6)] string? SmtpHost,
    [property: Id(7)] int SmtpPort,
    [property: Id(8)] SmtpSecurity SmtpSecurity,
    [property: Id(9)] string? SmtpUsername,
    [property: Id(10)] bool HasSmtpPassword,
    [property: Id(11)] string? From,
    [property: Id(12)] IReadOnlyList<string> To,
    [property: Id(13)] DateTimeOffset UpdatedAt,
    [property: Id(14)] IReadOnlyList<AlertDelivery> RecentDeliveries);
