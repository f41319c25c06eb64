namespace Mcp.Cluster.Models;

/// <summary>
/// Orders versions the way people read them: dot/dash separated parts, numeric parts by value ("1.10" &gt; "1.9"),
/// and a release above its pre-releases ("2.0.0" &gt; "2.0.0-rc1").
/// </summary>
public sealed class ModelVersionComparer : IComparer<string>
{
    public static readonly ModelVersionComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }
        if (x is null || y is null)
        {
            return x is null ? -1 : 1;
        }
        var (xRelease, xPre) = Split(x.TrimStart('v', 'V'));
        var (yRelease, yPre) = Split(y.TrimStart('v', 'V'));
        var byRelease = CompareParts(xRelease, yRelease);
        if (byRelease != 0)
        {
            return byRelease;
        }
        var byPreRelease = xPre is null || yPre is null
            ? (xPre is null ? (yPre is null ? 0 : 1) : -1)
            : CompareParts(xPre, yPre);
        // Spellings that compare equal ("1.0" and "1.0.0") are still different versions.
        return byPreRelease != 0 ? byPreRelease : string.CompareOrdinal(x, y);
    }

    private static (string Release, string? PreRelease) Split(string version)
    {
        var plus = version.IndexOf('+');
        if (plus >= 0)
        {
            version = version[..plus];
        }
        var dash = version.IndexOf('-');
        return dash < 0 ? (version, null) : (version[..dash], version[(dash + 1)..]);
    }

    private static int CompareParts(string x, string y)
    {
        var xs = x.Split('.');
        var ys = y.Split('.');
        for (var i = 0; i < Math.Max(xs.Length, ys.Length); i++)
        {
            var a = i < xs.Length ? xs[i] : "0";
            var b = i < ys.Length ? ys[i] : "0";
            var aNumeric = long.TryParse(a, out var an);
            var bNumeric = long.TryParse(b, out var bn);
            var result = aNumeric && bNumeric ? an.CompareTo(bn)
                : aNumeric != bNumeric ? (aNumeric ? -1 : 1)
                : string.CompareOrdinal(a, b);
            if (result != 0)
            {
                return result;
            }
        }
        return 0;
    }
}
