using System.Globalization;

namespace Mcp.Cluster.DataSources.Query;

/// <summary>
/// The user guide's relative dates: <c>last_{n}{unit}</c> with unit <c>d</c>ays, <c>w</c>eeks, <c>m</c>onths or
/// <c>y</c>ears (<c>last_3m</c>, <c>last_6m</c>, <c>last_1y</c>, <c>last_30d</c>, <c>last_12m</c>), at most
/// <see cref="MaxYears"/> years back.
/// </summary>
public readonly record struct RelativePeriod(int Count, char Unit)
{
    public const string Prefix = "last_";
    public const int MaxYears = 100;

    public static bool TryParse(string text, out RelativePeriod period)
    {
        period = default;
        // "last_" + 1 to 5 digits + the unit.
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || text.Length < Prefix.Length + 2 || text.Length > Prefix.Length + 6)
        {
            return false;
        }
        var unit = text[^1];
        var digits = text.AsSpan(Prefix.Length, text.Length - Prefix.Length - 1);
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return false;
        }
        int? max = unit switch
        {
            'd' => MaxYears * 366,
            'w' => MaxYears * 53,
            'm' => MaxYears * 12,
            'y' => MaxYears,
            _ => null,
        };
        if (max is not { } limit || count > limit)
        {
            return false;
        }
        period = new RelativePeriod(count, unit);
        return true;
    }

    /// <summary>When the period began, counted back from <paramref name="now"/> (calendar months and years).</summary>
    public DateTimeOffset StartBefore(DateTimeOffset now) => Unit switch
    {
        'd' => now.AddDays(-Count),
        'w' => now.AddDays(-7 * Count),
        'm' => now.AddMonths(-Count),
        _ => now.AddYears(-Count),
    };
}
