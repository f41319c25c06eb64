using System.Globalization;

namespace Mcp.Cluster.Gateway.Models;

/// <summary>
/// The user guide's human-readable figures (<c>"45ms"</c>, <c>"0.1%"</c>); every such field has a numeric sibling
/// (<c>…_ms</c>, <c>…_ratio</c>) for machines.
/// </summary>
public static class DisplayUnits
{
    public static string Milliseconds(double ms) =>
        (ms >= 10 ? Math.Round(ms, MidpointRounding.AwayFromZero).ToString("0", CultureInfo.InvariantCulture)
            : ms.ToString("0.#", CultureInfo.InvariantCulture)) + "ms";

    public static string Percent(double ratio) => (ratio * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
