using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15 item 8, <c>/ws/completions</c> over a real socket (Kestrel): a connection that never authenticates is
/// closed with 1008 after <c>Completions:SocketAuthTimeout</c>, pings or not; a frame whose header declares more
/// than <c>Completions:MaxSocketMessageBytes</c> is refused with 1009 as soon as the header arrives.
/// </summary>
[Trait("Tier", "Api")]
public sealed class CompletionSocketLimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Models:SeedBuiltInModels"] = "false",
        ["Completions:SocketAuthTimeout"] = "00:00:01",
        ["Completions:SocketKeepAlive"] = "00:00:00.200",
        ["Completions:MaxSocketMessageBytes"] = "65536",
    });

    private Uri _base = null!;

    public Task InitializeAsync()
    {
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        using var client = _gateway.CreateClient();
        _base = client.BaseAddress!;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_socket_that_never_authenticates_is_closed_with_policy_violation()
    {
        using var socket = new ClientWebSocket();
        // The client answers the server's pings (and sends its own): staying alive must not be enough.
        socket.Options.KeepAliveInterval = TimeSpan.FromMilliseconds(200);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_base.Port}/ws/completions"), CancellationToken.None);

        using var timeout = new CancellationTokenSource(Wait);
        var buffer = new byte[4096];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, timeout.Token);
        }
        while (result.MessageType != WebSocketMessageType.Close);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
    }

    [Fact]
    public async Task A_frame_header_declaring_2_to_the_62_bytes_is_refused_with_1009_before_any_payload()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", _base.Port);
        var stream = tcp.GetStream();
        var handshake = "GET /ws/completions HTTP/1.1\r\n"
            + $"Host: 127.0.0.1:{_base.Port}\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + $"X-API-Key: {GatewayFactory.AdminKey}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(handshake));

        using var timeout = new CancellationTokenSource(Wait);
        var response = await ReadUntilAsync(stream, "\r\n\r\n"u8.ToArray(), timeout.Token);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(response));

        // FIN + text, masked, 64-bit length 2^62, then the mask key, and no payload at all.
        var header = new byte[] { 0x81, 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 };
        await stream.WriteAsync(header, timeout.Token);

        // A keep-alive ping may come first on a loaded machine; the close follows it.
        var close = await ReadExactlyAsync(stream, 2, timeout.Token);
        while (close[0] == 0x89)
        {
            await ReadExactlyAsync(stream, close[1] & 0x7F, timeout.Token);
            close = await ReadExactlyAsync(stream, 2, timeout.Token);
        }
        Assert.Equal(0x88, close[0]);
        var code = await ReadExactlyAsync(stream, 2, timeout.Token);
        Assert.Equal(1009, code[0] << 8 | code[1]);
    }

    private static async Task<byte[]> ReadUntilAsync(NetworkStream stream, byte[] end, CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < end.Length || !bytes.TakeLast(end.Length).SequenceEqual(end))
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException("The server closed the connection during the handshake.");
            }
            bytes.Add(one[0]);
        }
        return [.. bytes];
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }
}
