using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Mcp.Cluster.Bench;

/// <summary>
/// Finds where one HTTP/1.1 response ends in the bytes received so far (Content-Length or chunked body), so the raw
/// load generator can keep a connection alive without an HTTP client library's cost in the measuring process.
/// </summary>
public static class HttpResponseFraming
{
    private static ReadOnlySpan<byte> HeaderEnd => "\r\n\r\n"u8;
    private static ReadOnlySpan<byte> LineEnd => "\r\n"u8;

    /// <summary>
    /// True when <paramref name="data"/> holds a whole response: its length (header and body), its status code, and
    /// whether the server will close the connection after it.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out int length, out int status, out bool close)
    {
        length = 0;
        status = 0;
        close = false;
        var headerEnd = data.IndexOf(HeaderEnd);
        if (headerEnd < 0)
        {
            return false;
        }
        var head = data[..headerEnd];
        // "HTTP/1.1 200 OK"
        if (head.Length < 12 || !Utf8Parser.TryParse(head.Slice(9, 3), out status, out _))
        {
            throw new InvalidDataException("Not an HTTP/1.1 status line: " + Encoding.ASCII.GetString(head[..Math.Min(head.Length, 40)]));
        }
        long? contentLength = null;
        var chunked = false;
        var lines = head[(head.IndexOf(LineEnd) + 2)..];
        while (lines.Length > 0)
        {
            var end = lines.IndexOf(LineEnd);
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                contentLength = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                chunked = Encoding.ASCII.GetString(value).Contains("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
        }
        var bodyStart = headerEnd + HeaderEnd.Length;
        if (chunked)
        {
            return TryChunkedEnd(data, bodyStart, out length);
        }
        // Without either header (a 204 or 304, or a body ended by closing the connection, which the bench never asks for).
        var total = bodyStart + (contentLength ?? 0);
        length = (int)total;
        return data.Length >= total;
    }

    private static bool TryChunkedEnd(ReadOnlySpan<byte> data, int position, out int length)
    {
        length = 0;
        while (true)
        {
            var lineEnd = data[position..].IndexOf(LineEnd);
            if (lineEnd < 0)
            {
                return false;
            }
            var sizeText = data.Slice(position, lineEnd);
            var extension = sizeText.IndexOf((byte)';');
            if (extension >= 0)
            {
                sizeText = sizeText[..extension];
            }
            if (!Utf8Parser.TryParse(sizeText.Trim((byte)' '), out long size, out _, 'X'))
            {
                throw new InvalidDataException("Bad chunk size: " + Encoding.ASCII.GetString(sizeText));
            }
            position += lineEnd + 2;
            if (size == 0)
            {
                // Optional trailer lines, then an empty line.
                var rest = data[position..];
                if (rest.StartsWith(LineEnd))
                {
                    length = position + 2;
                    return true;
                }
                var trailerEnd = rest.IndexOf(HeaderEnd);
                if (trailerEnd < 0)
                {
                    return false;
                }
                length = position + trailerEnd + HeaderEnd.Length;
                return true;
            }
            position += (int)size + 2;
            if (position > data.Length)
            {
                return false;
            }
        }
    }
}
