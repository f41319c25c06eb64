using System.Buffers.Text;
using System.Security.Cryptography;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// SSE event ids of resumable streams: <c>{stream token}.{sequence}</c>. The token is 128 random bits (base64url) and
/// names the stream's grain, so an id cannot be guessed from a session id or another stream's ids; the sequence counts
/// the stream's events from 1. Anything else a client sends as <c>Last-Event-ID</c> is refused before any grain is asked.
/// </summary>
public static class McpEventId
{
    private const int TokenLength = 22;

    /// <summary>A long has at most 19 digits.</summary>
    private const int MaxSequenceDigits = 19;

    public static string NewToken()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return Base64Url.EncodeToString(bytes);
    }

    public static string Format(string token, long sequence) => $"{token}.{sequence}";

    public static bool TryParse(string? eventId, out string token, out long sequence)
    {
        token = "";
        sequence = 0;
        if (eventId is null || eventId.Length < TokenLength + 2 || eventId.Length > TokenLength + 1 + MaxSequenceDigits || eventId[TokenLength] != '.')
        {
            return false;
        }
        var candidate = eventId.AsSpan(0, TokenLength);
        var digits = eventId.AsSpan(TokenLength + 1);
        if (!Base64Url.IsValid(candidate, out var decoded) || decoded != 16 || candidate.ContainsAny('=', '+', '/'))
        {
            return false;
        }
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out sequence) || sequence < 1)
        {
            return false;
        }
        token = candidate.ToString();
        return true;
    }
}
