namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// The answer to a token reservation. When refused, <see cref="Window"/> says which quota (<c>minute</c> or
/// <c>day</c>) and <see cref="RetryAt"/> when it next has room. When granted, <see cref="Lease"/> says how long the
/// reservation lives unless renewed: its holder renews it well within that while it streams, and the key grain settles
/// a reservation whose lease ran out by itself (the holder died).
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.TokenReservation")]
public sealed record TokenReservation(
    [property: Id(0)] bool Granted,
    [property: Id(1)] string? Window = null,
    [property: Id(2)] long? Limit = null,
    [property: Id(3)] long? Used = null,
    [property: Id(4)] DateTimeOffset? RetryAt = null,
    [property: Id(5)] TimeSpan? Lease = null)
{
    public static readonly TokenReservation Ok = new(true);
}
