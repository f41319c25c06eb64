using System.Text;

namespace Mcp.Cluster.Integrations;

/// <summary>
/// A read-only view of a server-sent-events stream in which the data of each event may be replaced: events are
/// passed through line by line as they arrive, and an event's <c>data</c> lines are handed, joined, to
/// <c>rewrite</c>, which returns the new data (one line) or null to keep them. Other fields (<c>id</c>,
/// <c>event</c>, <c>retry</c>) and comments are kept as they are, so resumption and reconnection hints still work.
/// </summary>
internal sealed class SseRewritingStream(Stream inner, Func<string, string?> rewrite) : Stream
{
    /// <summary>An event larger than this is passed on untouched rather than held in memory.</summary>
    private const int MaxEventBytes = 4 * 1024 * 1024;

    private readonly MemoryStream _line = new();
    private readonly List<byte[]> _eventLines = [];
    private readonly List<string> _data = [];
    private readonly byte[] _input = new byte[16 * 1024];
    private byte[] _output = [];
    private int _outputOffset;
    private int _eventBytes;
    private bool _ended;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_outputOffset >= _output.Length)
        {
            if (_ended)
            {
                return 0;
            }
            var read = await inner.ReadAsync(_input, cancellationToken);
            _output = read == 0 ? Finish() : Process(_input.AsSpan(0, read));
            _outputOffset = 0;
            _ended = read == 0;
        }
        var count = Math.Min(buffer.Length, _output.Length - _outputOffset);
        _output.AsSpan(_outputOffset, count).CopyTo(buffer.Span);
        _outputOffset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // HTTP clients read response bodies asynchronously; nothing here blocks a thread on the upstream.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private byte[] Process(ReadOnlySpan<byte> chunk)
    {
        using var output = new MemoryStream();
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _line.Write(chunk);
                break;
            }
            _line.Write(chunk[..(newline + 1)]);
            chunk = chunk[(newline + 1)..];
            Line(_line.ToArray(), output);
            _line.SetLength(0);
        }
        return output.ToArray();
    }

    private void Line(byte[] line, MemoryStream output)
    {
        var text = Encoding.UTF8.GetString(line).TrimEnd('\n').TrimEnd('\r');
        if (text.Length == 0)
        {
            EndEvent(output);
            output.Write(line);
            return;
        }
        _eventBytes += line.Length;
        if (_eventBytes > MaxEventBytes)
        {
            // Too large to hold: give up rewriting this event and stream it on as it comes.
            Flush(output);
            output.Write(line);
            return;
        }
        _eventLines.Add(line);
        if (text.StartsWith("data:", StringComparison.Ordinal))
        {
            var value = text[5..];
            _data.Add(value.StartsWith(' ') ? value[1..] : value);
        }
    }

    private void EndEvent(MemoryStream output)
    {
        var replaced = _data.Count > 0 && _eventBytes <= MaxEventBytes ? rewrite(string.Join('\n', _data)) : null;
        if (replaced is null)
        {
            Flush(output);
        }
        else
        {
            foreach (var line in _eventLines)
            {
                if (!line.AsSpan().StartsWith("data:"u8))
                {
                    output.Write(line);
                }
            }
            output.Write("data: "u8);
            output.Write(Encoding.UTF8.GetBytes(replaced));
            output.Write("\n"u8);
            _eventLines.Clear();
            _data.Clear();
        }
        _eventBytes = 0;
    }

    private void Flush(MemoryStream output)
    {
        foreach (var line in _eventLines)
        {
            output.Write(line);
        }
        _eventLines.Clear();
        _data.Clear();
    }

    private byte[] Finish()
    {
        using var output = new MemoryStream();
        if (_line.Length > 0)
        {
            _eventLines.Add(_line.ToArray());
            _line.SetLength(0);
        }
        Flush(output);
        return output.ToArray();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _line.Dispose();
        }
        base.Dispose(disposing);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
