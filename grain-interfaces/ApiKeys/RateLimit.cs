using System.Globalization;

namespace Mcp.Cluster.ApiKeys;

/// <summary>A fixed-window request allowance such as <c>100/minute</c>.</summary>
[GenerateSerializer, Immutable, Alias("mcp.RateLimit")]
public sealed record RateLimit([property: Id(0)] int Limit, [property: Id(1)] TimeSpan Window)
{
    // A fresh value each time: state defaults must never share one instance (a populating deserializer would write through it).
    public static RateLimit Default => new(100, TimeSpan.FromMinutes(1));

    /// <summary>Requests per second, used to compare allowances written with different units.</summary>
    public double PerSecond => Limit / Window.TotalSeconds;

    public override string ToString()
    {
        var unit = Window.TotalSeconds switch
        {
            1 => "second",
            60 => "minute",
            3600 => "hour",
            86400 => "day",
            _ => null,
        };
        return unit is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Limit}/{(long)Window.TotalSeconds}s")
            : string.Create(CultureInfo.InvariantCulture, $"{Limit}/{unit}");
    }

    /// <summary>Parses <c>N/second|minute|hour|day</c> (also <c>N/Ns</c>); N is 1 to 1,000,000.</summary>
    public static bool TryParse(string? text, out RateLimit? rateLimit, out string? error)
    {
        rateLimit = null;
        error = null;
        var parts = text?.Split('/', StringSplitOptions.TrimEntries);
        if (parts is not { Length: 2 } || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
        {
            error = "rate_limit must look like '100/minute' (units: second, minute, hour, day).";
            return false;
        }
        if (limit is < 1 or > 1_000_000)
        {
            error = "rate_limit must allow between 1 and 1000000 requests per window.";
            return false;
        }
        TimeSpan? window = parts[1].ToLowerInvariant() switch
        {
            "s" or "sec" or "second" => TimeSpan.FromSeconds(1),
            "m" or "min" or "minute" => TimeSpan.FromMinutes(1),
            "h" or "hour" => TimeSpan.FromHours(1),
            "d" or "day" => TimeSpan.FromDays(1),
            var s when s.EndsWith('s') && int.TryParse(s[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && seconds is >= 1 and <= 86400 => TimeSpan.FromSeconds(seconds),
            _ => null,
        };
        if (window is null)
        {
            error = "rate_limit unit must be second, minute, hour or day (or a number of seconds such as '30s').";
            return false;
        }
        rateLimit = new RateLimit(limit, window.Value);
        return true;
    }
}
