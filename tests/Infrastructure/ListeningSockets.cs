using System.Globalization;
using System.Net;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The TCP sockets listening on this machine, read from <c>/proc/net/tcp</c> and <c>/proc/net/tcp6</c>: which local
/// addresses each port is bound to. Nothing is contacted.
/// </summary>
public static class ListeningSockets
{
    private const string Listen = "0A";

    public static Dictionary<int, List<IPAddress>> Read()
    {
        var result = new Dictionary<int, List<IPAddress>>();
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                // "  0: 0100007F:2B67 00000000:0000 0A …": local address:port, remote address:port, state.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4 || fields[3] != Listen)
                {
                    continue;
                }
                var local = fields[1].Split(':');
                var port = int.Parse(local[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (!result.TryGetValue(port, out var addresses))
                {
                    result[port] = addresses = [];
                }
                addresses.Add(Parse(local[0]));
            }
        }
        return result;
    }

    /// <summary>The kernel prints each 32-bit word of the address in host (little-endian) byte order.</summary>
    private static IPAddress Parse(string hex)
    {
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                bytes[word * 4 + b] = byte.Parse(hex.AsSpan((word * 4 + 3 - b) * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return new IPAddress(bytes);
    }
}
