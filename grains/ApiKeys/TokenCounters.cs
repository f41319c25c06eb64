namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// A key's token use: a one-minute fixed window and a UTC day, each counting settled tokens plus open reservations.
/// A reservation is charged in the windows it was made in; settling moves those windows to the real count.
/// Each reservation holds a lease its holder renews while it streams (reporting the use so far); one whose lease ran
/// out (the gateway died mid-stream) is settled by <see cref="SettleExpired"/> at its last report, or at its reserved
/// size when it never reported.
/// </summary>
[GenerateSerializer, Alias("mcp.TokenCounters")]
public sealed class TokenCounters
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [Id(0)] public DateTimeOffset MinuteStart { get; set; }
    [Id(1)] public long MinuteTokens { get; set; }
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public long DayTokens { get; set; }
    [Id(4)] public long PromptTokens { get; set; }
    [Id(5)] public long CompletionTokens { get; set; }
    [Id(6)] public Dictionary<string, OpenTokenReservation> Reservations { get; set; } = new(StringComparer.Ordinal);

    public TokenReservation Reserve(string id, long tokens, TokenLimits limits, DateTimeOffset now, TimeSpan lease)
    {
        Roll(now);
        if (Reservations.ContainsKey(id))
        {
            return TokenReservation.Ok with { Lease = lease };
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
        Reservations[id] = new OpenTokenReservation { Tokens = tokens, MinuteStart = MinuteStart, Day = Day, At = now, LeaseUntil = now + lease };
        return TokenReservation.Ok with { Lease = lease };
    }

    /// <summary>Extends the lease of an open reservation; false when there is none by this id.</summary>
    public bool Renew(string id, long promptTokens, long completionTokens, DateTimeOffset now, TimeSpan lease)
    {
        if (!Reservations.TryGetValue(id, out var reservation))
        {
            return false;
        }
        reservation.LeaseUntil = now + lease;
        reservation.ReportedPromptTokens = Math.Max(0, promptTokens);
        reservation.ReportedCompletionTokens = Math.Max(0, completionTokens);
        reservation.Reported = true;
        return true;
    }

    /// <summary>
    /// Settles every reservation whose lease ran out, at its last report or else its reserved size (counted as
    /// completion tokens: the provider may have run to the end); returns their ids.
    /// </summary>
    public IReadOnlyList<string> SettleExpired(DateTimeOffset now)
    {
        var expired = Reservations.Where(r => r.Value.LeaseUntil <= now).ToArray();
        foreach (var (id, reservation) in expired)
        {
            if (reservation.Reported)
            {
                Settle(id, reservation.ReportedPromptTokens, reservation.ReportedCompletionTokens, now);
            }
            else
            {
                Settle(id, 0, reservation.Tokens, now);
            }
        }
        return expired.Select(r => r.Key).ToArray();
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
    }
}

[GenerateSerializer, Alias("mcp.OpenTokenReservation")]
public sealed class OpenTokenReservation
{
    [Id(0)] public long Tokens { get; set; }
    [Id(1)] public DateTimeOffset MinuteStart { get; set; }
    [Id(2)] public DateOnly Day { get; set; }
    [Id(3)] public DateTimeOffset At { get; set; }

    /// <summary>Settled by the key grain at this time unless renewed; a reservation stored before leases existed has none and expires at once.</summary>
    [Id(4)] public DateTimeOffset LeaseUntil { get; set; }

    [Id(5)] public bool Reported { get; set; }
    [Id(6)] public long ReportedPromptTokens { get; set; }
    [Id(7)] public long ReportedCompletionTokens { get; set; }
}
