using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Outbound;

/// <summary>
/// Addresses that lead into the operator's own network rather than the internet: loopback, link-local (the cloud
/// metadata service at 169.254.169.254), private and shared (CGNAT) ranges, unique-local, unspecified, multicast,
/// broadcast and reserved ranges, and IPv6 forms that embed one of those IPv4 addresses.
/// </summary>
public static class InternalAddresses
{
    /// <summary>Why <paramref name="address"/> is internal, or null for a public address.</summary>
    public static string? Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyV4(address.GetAddressBytes());
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return "not an IP address";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            return ClassifyV4(address.MapToIPv4().GetAddressBytes()) is { } mapped ? $"IPv4-mapped {mapped}" : null;
        }
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6None))
        {
            return "unspecified";
        }
        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "loopback";
        }
        var b = address.GetAddressBytes();
        if (address.IsIPv6LinkLocal)
        {
            return "link-local";
        }
        if (address.IsIPv6SiteLocal)
        {
            return "site-local";
        }
        if (address.IsIPv6UniqueLocal)
        {
            return "unique-local (fc00::/7)";
        }
        if (address.IsIPv6Multicast)
        {
            return "multicast";
        }
        // IPv4-compatible (::a.b.c.d, deprecated but still routed by some stacks).
        if (b.Take(12).All(x => x == 0))
        {
            return ClassifyV4(b[12..]) is { } compatible ? $"IPv4-compatible {compatible}" : null;
        }
        // NAT64 (64:ff9b::/96 carries the IPv4 address in its last 32 bits; 64:ff9b:1::/48 is for local use).
        if (b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b)
        {
            if (b[4] == 0 && b[5] == 1)
            {
                return "local-use NAT64";
            }
            return ClassifyV4(b[12..]) is { } nat64 ? $"NAT64 {nat64}" : null;
        }
        // 6to4 (2002::/16 carries an IPv4 address in bits 16-47).
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return ClassifyV4(b[2..6]) is { } sixToFour ? $"6to4 {sixToFour}" : null;
        }
        // Everything else outside global unicast (2000::/3) is no address on the internet: IPv4-translated
        // (::ffff:0:a.b.c.d), discard-only, reserved and future ranges. Some stacks route them somewhere local.
        if ((b[0] & 0xE0) != 0x20)
        {
            return "not a global unicast address (outside 2000::/3)";
        }
        // Teredo (2001:0::/32) tunnels to an address it obfuscates; nothing a backend needs.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
        {
            return "Teredo tunnel";
        }
        // Documentation (2001:db8::/32): never a real host.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8)
        {
            return "documentation (2001:db8::/32)";
        }
        return null;
    }

    private static string? ClassifyV4(byte[] b) => b switch
    {
        [0, ..] => "unspecified (0.0.0.0/8)",
        [10, ..] => "private (10.0.0.0/8)",
        [100, var x, ..] when (x & 0xC0) == 64 => "shared/CGNAT (100.64.0.0/10)",
        [127, ..] => "loopback",
        [169, 254, ..] => "link-local (169.254.0.0/16, cloud metadata)",
        [172, var x, ..] when (x & 0xF0) == 16 => "private (172.16.0.0/12)",
        [192, 0, 0, _] => "reserved (192.0.0.0/24)",
        [192, 168, ..] => "private (192.168.0.0/16)",
        [198, var x, ..] when (x & 0xFE) == 18 => "reserved (198.18.0.0/15)",
        [255, 255, 255, 255] => "broadcast",
        [>= 224 and < 240, ..] => "multicast",
        [>= 240, ..] => "reserved (240.0.0.0/4)",
        _ => null,
    };
}
