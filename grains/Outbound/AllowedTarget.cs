using System.Globalization;
using System.Net;

namespace Mcp.Cluster.Outbound;

/// <summary>One entry of <c>Outbound:AllowedTargets</c>: a host name or an IP network, optionally with a port.</summary>
public sealed record AllowedTarget(string? HostName, IPNetwork? Network, int? Port)
{
    /// <summary>Parses <c>name</c>, <c>name:port</c>, <c>1.2.3.4</c>, <c>1.2.3.4:port</c>, <c>::1</c>, <c>[::1]:port</c> or <c>10.0.0.0/8</c>.</summary>
    public static bool TryParse(string text, out AllowedTarget target)
    {
        target = null!;
        var entry = text.Trim();
        if (entry.Length == 0)
        {
            return false;
        }
        if (entry.Contains('/'))
        {
            if (!IPNetwork.TryParse(entry, out var network))
            {
                return false;
            }
            target = new AllowedTarget(null, network, null);
            return true;
        }
        string host;
        int? port = null;
        if (entry.StartsWith('['))
        {
            var close = entry.IndexOf(']');
            if (close < 0)
            {
                return false;
            }
            host = entry[1..close];
            var rest = entry[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':') || !TryPort(rest[1..], out var p))
                {
                    return false;
                }
                port = p;
            }
        }
        else if (entry.Count(c => c == ':') == 1)
        {
            var colon = entry.IndexOf(':');
            host = entry[..colon];
            if (!TryPort(entry[(colon + 1)..], out var p))
            {
                return false;
            }
            port = p;
        }
        else
        {
            host = entry;
        }
        if (HostAddress.TryParse(host, out var address))
        {
            target = new AllowedTarget(null, new IPNetwork(address, address.GetAddressBytes().Length * 8), port);
            return true;
        }
        if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            return false;
        }
        target = new AllowedTarget(HostAddress.Normalize(host), null, port);
        return true;
    }

    public bool MatchesName(string host, int port) =>
        HostName is not null && string.Equals(HostName, HostAddress.Normalize(host), StringComparison.Ordinal) && (Port is null || Port == port);

    public bool MatchesAddress(IPAddress address, int port)
    {
        if (Network is not { } network || (Port is not null && Port != port))
        {
            return false;
        }
        var candidate = address.IsIPv4MappedToIPv6 && network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? address.MapToIPv4()
            : address;
        return network.Contains(candidate);
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;
}
