using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Outbound;

/// <summary>
/// The connect step of the restricted connection pool: resolves the host itself, keeps only the addresses the
/// outbound policy allows and connects to one of those. It runs for every new connection, redirects included, so
/// what is checked is the address actually connected to, not the name in the URL.
/// </summary>
public sealed class OutboundConnector(OutboundPolicy policy, IHostResolver resolver)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await AllowedAddressesAsync(endpoint.Host, endpoint.Port, cancellationToken);
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    /// <summary>The addresses of <paramref name="host"/> a restricted connection may use; throws when there are none.</summary>
    /// <exception cref="OutboundRefusedException">Every address the host resolves to is refused by the policy.</exception>
    public async Task<IReadOnlyList<IPAddress>> AllowedAddressesAsync(string host, int port, CancellationToken cancellationToken)
    {
        var candidates = HostAddress.TryParse(host, out var literal)
            ? [literal]
            : await resolver.ResolveAsync(HostAddress.Normalize(host), cancellationToken);
        if (candidates.Length == 0)
        {
            throw new OutboundRefusedException($"{host} did not resolve to any address.");
        }
        if (policy.IsAllowedName(host, port))
        {
            return candidates;
        }
        var allowed = new List<IPAddress>(candidates.Length);
        string? refusal = null;
        foreach (var address in candidates)
        {
            if (policy.RefuseAddress(address, port) is { } reason)
            {
                refusal ??= $"{address} ({reason})";
            }
            else
            {
                allowed.Add(address);
            }
        }
        return allowed.Count > 0
            ? allowed
            : throw new OutboundRefusedException(
                $"The outbound policy refused {host}:{port}: it resolves only to addresses that targets set by non-admin keys may not reach.",
                refusal);
    }
}
