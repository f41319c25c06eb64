using System.Globalization;

namespace Mcp.Cluster.Models.Hosted.Placement;

/// <summary>Sizes in the decimal units <c>memory_requirement</c> and <c>Silo:Resources:ModelMemory</c> are written in.</summary>
public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        >= 1_000_000_000_000 => Scaled(bytes, 1e12, "TB"),
        >= 1_000_000_000 => Scaled(bytes, 1e9, "GB"),
        >= 1_000_000 => Scaled(bytes, 1e6, "MB"),
        >= 1_000 => Scaled(bytes, 1e3, "KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes"),
    };

    private static string Scaled(long bytes, double unit, string name) =>
        string.Create(CultureInfo.InvariantCulture, $"{bytes / unit:0.0} {name}");
}
