namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// A key's token use: a one-minute fixed window and a UTC day, each counting settled tokens plus open reservations.
/// A reservation is charged in the windows it was made in; settling moves those windows to the real count.
/// Reservations never settled (a gateway died mid-stream) stay charged at their reserved size and are forgotten
/// after <see cref="ReservationLifetime"/>.
/// </summary>
[GenerateSerializer, Alias("mcp.TokenCounters")]
public sealed class TokenCounters
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ReservationLifetime = TimeSpan.FromMinutes(30);

    [Id(0)] public DateTimeOffset MinuteStart { get; set; }
    [Id(1)] public long MinuteTokens { get; set; }
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public long DayTokens { get; set; }
    [Id(4)] public long PromptTokens { get; set; }
    [Id(5)] public long CompletionTokens { get; set; }
    [Id(6)] public Dictionary<string, OpenTokenReservation> Reservations { get; set; } = new(StringComparer.Ordinal);

    public TokenReservation Reserve(string id, long tokens, TokenLimits limits, DateTimeOffset now)
    {
        Roll(now);
        if (Reservations.ContainsKey(id))
        {
            return TokenReservation.Ok;
        }
        if (limits.PerMinute is { } perMinute && MinuteTokens + tokens > perMinute)
        {
            return new TokenReservation(false, "minute", perMinute, MinuteTokens, MinuteStart + Window);
        }
        if (limits.PerDay is { } perDay && DayTokens + tokens > perDay)
        {
            return new TokenReservation(false, "day", perDay, DayTokens, new DateTimeOffset(now.UtcDateTime.Date.AddDays(1), TimeSpan.Zero));
        }
        MinuteTokens += tokens;
        DayTokens += tokens;
        Reservations[id] = new OpenTokenReservation { Tokens = tokens, MinuteStart = MinuteStart, Day = Day, At = now };
        return TokenReservation.Ok;
    }

    public void Settle(string id, long promptTokens, long completionTokens, DateTimeOffset now)
    {
        Roll(now);
        var used = Math.Max(0, promptTokens) + Math.Max(0, completionTokens);
        PromptTokens += Math.Max(0, promptTokens);
        CompletionTokens += Math.Max(0, completionTokens);
        if (Reservations.Remove(id, out var reservation))
        {
            // Only windows the reservation was charged to are corrected; a later window is charged the real use.
            MinuteTokens = Math.Max(0, MinuteTokens + (reservation.MinuteStart == MinuteStart ? used - reservation.Tokens : used));
            DayTokens = Math.Max(0, DayTokens + (reservation.Day == Day ? used - reservation.Tokens : used));
        }
        else
        {
            MinuteTokens += used;
            DayTokens += used;
        }
    }

    private void Roll(DateTimeOffset now)
    {
        if (now >= MinuteStart + Window || now < MinuteStart)
        {
            // Open reservations stay charged to the window they were made in.
            MinuteStart = now;
            MinuteTokens = 0;
        }
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        if (day != Day)
        {
            Day = day;
            DayTokens = 0;
        }
        if (Reservations.Count > 0)
        {
            foreach (var stale in Reservations.Where(r => now - r.Value.At > ReservationLifetime).Select(r => r.Key).ToArray())
            {
                Reservations.Remove(stale);
            }
        }
    }
}

[GenerateSerializer, Alias("mcp.OpenTokenReservation")]
public sealed class OpenTokenReservation
{
    [Id(0)] public long Tokens { get; set; }
    [Id(1)] public DateTimeOffset MinuteStart { get; set; }
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public DateTimeOffset At { get; set; }
}
