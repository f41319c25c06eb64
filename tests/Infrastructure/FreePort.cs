using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Ports for the servers the tests start (silos, gateways, PostgreSQL, Redis, Azurite). They come from 10000-19999,
/// below the kernel's ephemeral range: a port drawn from that range and released can be handed to any outgoing
/// connection (an HTTP client, Npgsql, an Orleans client) before the server binds it, which failed silo start-ups
/// with "address already in use". Each port is handed out once per test process, from a random starting point so two
/// test runs on one machine rarely meet, and one something else holds is skipped. (The local-cluster script test
/// keeps to 20000-28999.)
/// </summary>
public static class FreePort
{
    private const int First = 10000;
    private const int Count = 10000;

    private static int _next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free port between {First} and {First + Count - 1}.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
