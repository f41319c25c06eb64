using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// A real SMTP server on a loopback port (RFC 5321 commands EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA with dot-unstuffing,
/// RSET, NOOP, QUIT) that keeps every message it accepts. No STARTTLS: channels under test use security <c>none</c>.
/// With <see cref="Password"/> set, it requires AUTH PLAIN with <see cref="Username"/> and that password.
/// </summary>
public sealed class SmtpReceiver : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task? _accepting;

    public string? Username { get; init; }
    public string? Password { get; init; }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public ConcurrentQueue<ReceivedMail> Messages { get; } = new();

    public void Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost MCP test SMTP receiver");
        string? from = null;
        var to = new List<string>();
        var authenticated = Password is null;
        while (await reader.ReadLineAsync() is { } line)
        {
            var verb = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-localhost");
                    await writer.WriteLineAsync("250-AUTH PLAIN");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "HELO":
                    await writer.WriteLineAsync("250 localhost");
                    break;
                case "AUTH":
                {
                    var parts = line.Split(' ');
                    var encoded = parts.Length > 2 ? parts[2] : null;
                    if (encoded is null)
                    {
                        await writer.WriteLineAsync("334 ");
                        encoded = await reader.ReadLineAsync();
                    }
                    var fields = Encoding.UTF8.GetString(Convert.FromBase64String(encoded ?? "")).Split('\0');
                    authenticated = fields.Length == 3 && fields[1] == Username && fields[2] == Password;
                    await writer.WriteLineAsync(authenticated ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
                    break;
                }
                case "MAIL":
                    if (!authenticated)
                    {
                        await writer.WriteLineAsync("530 5.7.0 Authentication required");
                        break;
                    }
                    from = Address(line);
                    to.Clear();
                    await writer.WriteLineAsync("250 2.1.0 OK");
                    break;
                case "RCPT":
                    to.Add(Address(line));
                    await writer.WriteLineAsync("250 2.1.5 OK");
                    break;
                case "DATA":
                {
                    if (from is null || to.Count == 0)
                    {
                        await writer.WriteLineAsync("503 5.5.1 MAIL and RCPT first");
                        break;
                    }
                    await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync() is { } dataLine && dataLine != ".")
                    {
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    }
                    Messages.Enqueue(new ReceivedMail(from, to.ToArray(), data.ToString()));
                    await writer.WriteLineAsync("250 2.0.0 OK queued");
                    from = null;
                    to.Clear();
                    break;
                }
                case "RSET":
                    from = null;
                    to.Clear();
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "NOOP":
                    await writer.WriteLineAsync("250 2.0.0 OK");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 2.0.0 Bye");
                    return;
                default:
                    await writer.WriteLineAsync("502 5.5.2 Command not recognized");
                    break;
            }
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>');
        return start >= 0 && end > start ? line[(start + 1)..end] : line;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}

/// <summary>One accepted message: the envelope and the raw RFC 5322 text (headers and body).</summary>
public sealed record ReceivedMail(string From, IReadOnlyList<string> To, string Data)
{
    /// <summary>The value of a header, unfolded.</summary>
    public string? Header(string name)
    {
        var lines = Data.Split("\r\n");
        for (var i = 0; i < lines.Length && lines[i].Length > 0; i++)
        {
            if (lines[i].StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            {
                var value = new StringBuilder(lines[i][(name.Length + 1)..].Trim());
                while (i + 1 < lines.Length && lines[i + 1].StartsWith(' '))
                {
                    value.Append(' ').Append(lines[++i].Trim());
                }
                return value.ToString();
            }
        }
        return null;
    }
}
