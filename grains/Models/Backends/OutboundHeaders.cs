using System.Net.Http.Headers;

namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// What a model's configured extra headers may be. A name must be an RFC 7230 token and a value free of control
/// characters (a CR or LF would end the header, and the request, early: request smuggling), and headers that frame
/// or route the request are the HTTP stack's alone.
/// </summary>
public static class OutboundHeaders
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Upgrade", "TE", "Trailer", "Keep-Alive",
    };

    // Headers of the body rather than the request; HttpRequestMessage keeps them on its content.
    private static readonly HashSet<string> ContentHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Allow", "Content-Disposition", "Content-Encoding", "Content-Language", "Content-Location", "Content-MD5",
        "Content-Range", "Content-Type", "Expires", "Last-Modified",
    };

    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>Why the header cannot be sent, or null when it can.</summary>
    public static string? Problem(string name, string value)
    {
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c)))
        {
            return "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)";
        }
        if (Reserved.Contains(name) || name.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase))
        {
            return "is set by the HTTP client and cannot be configured";
        }
        if (value.Any(c => (c < 0x20 && c != '\t') || c == 0x7f))
        {
            return "must not contain control characters (CR, LF, NUL)";
        }
        return null;
    }

    /// <summary>Adds with the framework's validation, which also refuses what <see cref="Problem"/> let through.</summary>
    public static void Add(HttpRequestMessage request, string name, string value)
    {
        HttpHeaders target = ContentHeaders.Contains(name) && request.Content is not null ? request.Content.Headers : request.Headers;
        target.Remove(name);
        target.Add(name, value);
    }
}
