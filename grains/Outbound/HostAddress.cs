using System.Globalization;
using System.Net;

namespace Mcp.Cluster.Outbound;

/// <summary>
/// Reads a URL host the way resolvers do: besides standard literals, <c>inet_aton</c> forms such as
/// <c>0x7f000001</c>, <c>2130706433</c>, <c>0177.0.0.1</c> and <c>127.1</c> are IPv4 addresses, not names.
/// </summary>
public static class HostAddress
{
    /// <summary>The host as an IP address when it is one in any notation; host names give false.</summary>
    public static bool TryParse(string host, out IPAddress address)
    {
        var text = host.Trim().TrimEnd('.');
        if (text.StartsWith('[') && text.EndsWith(']'))
        {
            text = text[1..^1];
        }
        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address!);
        }
        return TryParseLegacyIPv4(text, out address!);
    }

    /// <summary>A host name lower-cased, without a trailing dot and without IPv6 brackets.</summary>
    public static string Normalize(string host)
    {
        var text = host.Trim().TrimEnd('.').ToLowerInvariant();
        return text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
    }

    private static bool TryParseLegacyIPv4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        var parts = text.Split('.');
        if (parts.Length is < 1 or > 4 || parts.Any(p => p.Length == 0))
        {
            return false;
        }
        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParsePart(parts[i], out values[i]))
            {
                return false;
            }
        }
        // Each leading part is one byte; the last fills the bytes that remain (a.b.c.d, a.b.cd, a.bcd, abcd).
        ulong result = 0;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (values[i] > 255)
            {
                return false;
            }
            result |= values[i] << (8 * (3 - i));
        }
        var lastBits = 8 * (5 - parts.Length);
        var last = values[^1];
        if (last >= 1UL << lastBits)
        {
            return false;
        }
        result |= last;
        address = new IPAddress([(byte)(result >> 24), (byte)(result >> 16), (byte)(result >> 8), (byte)result]);
        return true;
    }

    private static bool TryParsePart(string part, out ulong value)
    {
        value = 0;
        if (part.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var hex = part[2..];
            return hex.Length is > 0 and <= 8 && ulong.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        if (part.Length > 1 && part[0] == '0')
        {
            if (part.Length > 12 || part.Any(c => c is < '0' or > '7'))
            {
                return false;
            }
            foreach (var c in part)
            {
                value = value * 8 + (ulong)(c - '0');
            }
            return true;
        }
        return part.Length <= 10 && part.All(char.IsAsciiDigit) && ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
