using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Mcp.Cluster.Bench;

/// <summary>One endpoint under load: where, which headers, which body (always a POST of JSON).</summary>
public sealed record LoadTarget(Uri Address, string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body);

/// <summary>What one measured window gave: answered requests, failures, latencies in milliseconds (sorted).</summary>
public sealed record LoadResult(long Requests, long Errors, TimeSpan Window, IReadOnlyList<double> LatenciesMs, string? FirstError);

/// <summary>
/// Closed-loop load like wrk: N keep-alive HTTP/1.1 connections, each sending its next request as soon as the answer
/// to the last one is complete. By default over raw sockets with the request bytes prepared once, so the measuring
/// process (which shares the cores with what it measures) spends as little as it can; <c>--client httpclient</c> uses a
/// pooled <see cref="HttpClient"/> instead, to compare.
/// </summary>
public sealed class LoadGenerator : IAsyncDisposable
{
    private readonly LoadTarget _target;
    private readonly int _connections;
    private readonly RawConnection[]? _raw;
    private readonly HttpClient? _client;

    private LoadGenerator(LoadTarget target, int connections, RawConnection[]? raw, HttpClient? client)
    {
        _target = target;
        _connections = connections;
        _raw = raw;
        _client = client;
    }

    public static async Task<LoadGenerator> OpenAsync(LoadTarget target, int connections, bool useHttpClient)
    {
        if (useHttpClient)
        {
            var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, UseProxy = false })
            {
                BaseAddress = target.Address,
            };
            return new LoadGenerator(target, connections, null, client);
        }
        var request = RequestBytes(target);
        var raw = new RawConnection[connections];
        for (var i = 0; i < connections; i++)
        {
            raw[i] = await RawConnection.OpenAsync(target.Address, request);
        }
        return new LoadGenerator(target, connections, raw, null);
    }

    /// <summary>Runs all connections for <paramref name="duration"/>; latencies are kept only when <paramref name="record"/>.</summary>
    public async Task<LoadResult> RunAsync(TimeSpan duration, bool record)
    {
        long errors = 0;
        string? firstError = null;
        var latencies = new List<double>[_connections];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, _connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(record ? 200_000 / _connections + 1024 : 0);
            await Task.Yield();
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                var (status, body) = _raw is not null ? await _raw[c].SendAsync() : await SendWithClientAsync();
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                if (status is >= 200 and < 300)
                {
                    if (record)
                    {
                        mine.Add(elapsed);
                    }
                }
                else
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"HTTP {status}: {body}", null);
                }
            }
        }));
        var window = clock.Elapsed;
        var all = latencies.SelectMany(l => l).ToList();
        all.Sort();
        return new LoadResult(all.Count, errors, window, all, firstError);
    }

    private async Task<(int Status, string? Body)> SendWithClientAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _target.Path) { Content = new ByteArrayContent(_target.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in _target.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        using var response = await _client!.SendAsync(request);
        if (response.IsSuccessStatusCode)
        {
            await response.Content.CopyToAsync(Stream.Null);
            return ((int)response.StatusCode, null);
        }
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static byte[] RequestBytes(LoadTarget target)
    {
        var head = new StringBuilder()
            .Append($"POST {target.Path} HTTP/1.1\r\n")
            .Append($"Host: {target.Address.Authority}\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append($"Content-Length: {target.Body.Length}\r\n");
        foreach (var (name, value) in target.Headers)
        {
            head.Append($"{name}: {value}\r\n");
        }
        head.Append("\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. target.Body];
    }

    public ValueTask DisposeAsync()
    {
        foreach (var connection in _raw ?? [])
        {
            connection.Dispose();
        }
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>One keep-alive connection sending the same prepared request again and again.</summary>
    private sealed class RawConnection(Uri address, byte[] request) : IDisposable
    {
        private Socket _socket = null!;
        private byte[] _buffer = new byte[16 * 1024];

        public static async Task<RawConnection> OpenAsync(Uri address, byte[] request)
        {
            var connection = new RawConnection(address, request);
            await connection.ConnectAsync();
            return connection;
        }

        private async Task ConnectAsync()
        {
            _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await _socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(address.Host), address.Port));
        }

        public async Task<(int Status, string? Body)> SendAsync()
        {
            try
            {
                await _socket.SendAsync(request, SocketFlags.None);
                var filled = 0;
                while (true)
                {
                    if (filled == _buffer.Length)
                    {
                        Array.Resize(ref _buffer, _buffer.Length * 2);
                    }
                    var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
                    if (read == 0)
                    {
                        throw new IOException("The server closed the connection.");
                    }
                    filled += read;
                    if (HttpResponseFraming.TryParse(_buffer.AsSpan(0, filled), out var length, out var status, out var close))
                    {
                        if (close || filled != length)
                        {
                            await ReconnectAsync();
                        }
                        return (status, status is >= 200 and < 300 ? null : Encoding.UTF8.GetString(_buffer, 0, Math.Min(filled, 600)));
                    }
                }
            }
            catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
            {
                await ReconnectAsync();
                return (0, e.Message);
            }
        }

        private async Task ReconnectAsync()
        {
            _socket.Dispose();
            await ConnectAsync();
        }

        public void Dispose() => _socket.Dispose();
    }
}
