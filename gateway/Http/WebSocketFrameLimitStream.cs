namespace Mcp.Cluster.Gateway.Http;

/// <summary>
/// Sits under a server WebSocket and reads along the frame headers the client sends. A frame that declares more
/// payload than <paramref name="maxFrameBytes"/> is refused the moment its header arrives: a close frame 1009
/// (message too big) goes out and the read side ends, instead of the server waiting on (or reading) a payload the
/// header claims is up to 2^63 bytes. <see cref="System.Net.WebSockets.WebSocket"/> has no such limit of its own;
/// it only sees payload as it is read.
/// </summary>
public sealed class WebSocketFrameLimitStream(Stream inner, long maxFrameBytes) : Stream
{
    // Writes are whole frames (the WebSocket writes each frame with one call), so a lock per write keeps our close
    // frame from landing inside one of its frames.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly byte[] _header = new byte[14];
    private int _headerRead;
    private long _payloadLeft;
    private bool _refused;

    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_refused)
        {
            return 0;
        }
        var read = await inner.ReadAsync(buffer, cancellationToken);
        if (Inspect(buffer.Span[..read]) is { } declared)
        {
            _refused = true;
            await RefuseAsync(declared);
            await DrainAsync(cancellationToken);
            return 0;
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            if (!_refused)
            {
                await inner.WriteAsync(buffer, cancellationToken);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _writing.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _writing.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>Follows the frames through the bytes just read; the declared length of the first frame over the limit, if any.</summary>
    private ulong? Inspect(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_payloadLeft > 0)
            {
                var skip = (int)Math.Min(_payloadLeft, bytes.Length);
                _payloadLeft -= skip;
                bytes = bytes[skip..];
                continue;
            }
            _header[_headerRead++] = bytes[0];
            bytes = bytes[1..];
            if (_headerRead < 2)
            {
                continue;
            }
            var masked = (_header[1] & 0x80) != 0;
            var length7 = _header[1] & 0x7F;
            var extended = length7 switch { 126 => 2, 127 => 8, _ => 0 };
            var headerLength = 2 + extended + (masked ? 4 : 0);
            if (_headerRead < headerLength)
            {
                continue;
            }
            ulong length = extended switch
            {
                2 => (ulong)(_header[2] << 8 | _header[3]),
                8 => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2, 8)),
                _ => (ulong)length7,
            };
            _headerRead = 0;
            if (length > (ulong)maxFrameBytes)
            {
                return length;
            }
            _payloadLeft = (long)length;
        }
        return null;
    }

    /// <summary>
    /// Gives the client a moment to read our close frame and hang up before the connection ends: closing a socket
    /// while the client's bytes are still arriving resets it, and a reset can discard the close frame unread.
    /// What arrives meanwhile is thrown away, never buffered.
    /// </summary>
    private async Task DrainAsync(CancellationToken cancellationToken)
    {
        using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        linger.CancelAfter(CloseLinger);
        var discard = new byte[4096];
        try
        {
            while (await inner.ReadAsync(discard, linger.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The client hung up, or had its moment.
        }
    }

    private static readonly TimeSpan CloseLinger = TimeSpan.FromSeconds(2);

    private async Task RefuseAsync(ulong declared)
    {
        var reason = System.Text.Encoding.UTF8.GetBytes($"Frame of {declared} bytes refused; the limit is {maxFrameBytes}.");
        reason = reason.Length > 120 ? reason[..120] : reason;
        var frame = new byte[4 + reason.Length];
        frame[0] = 0x88;                        // FIN + close
        frame[1] = (byte)(2 + reason.Length);   // unmasked: server frames are never masked
        frame[2] = 1009 >> 8;
        frame[3] = 1009 & 0xFF;
        reason.CopyTo(frame, 4);
        await _writing.WaitAsync();
        try
        {
            await inner.WriteAsync(frame);
            await inner.FlushAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Already gone.
        }
        finally
        {
            _writing.Release();
        }
    }
}
