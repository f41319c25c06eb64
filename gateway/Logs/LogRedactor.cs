using System.Text.RegularExpressions;

namespace Mcp.Cluster.Gateway.Logs;

/// <summary>
/// Takes secrets out of log text: the value of a secret-looking query parameter (<c>?api_key=</c>, <c>token</c>,
/// <c>secret</c>, <c>password</c>, also percent-encoded, which ASP.NET Core decodes the same way) and the secret half
/// of anything shaped like one of our keys (<c>mcp_{id}_{secret}</c>: the id stays, so the line is still useful).
/// </summary>
public static partial class LogRedactor
{
    public const string Mask = "***";

    /// <summary>Cheap test first: most log lines have neither a query string nor a key in them.</summary>
    public static bool MayHoldSecret(string? text) => text is not null
        && (text.Contains('=') || text.Contains("mcp_", StringComparison.OrdinalIgnoreCase));

    public static string Redact(string text)
    {
        if (!MayHoldSecret(text))
        {
            return text;
        }
        text = SecretQueryValue().Replace(text, "$1" + Mask);
        return KeySecret().Replace(text, "$1" + Mask);
    }

    // name=value after ?, & or ; where the name, percent-decoded, is a secret's name.
    [GeneratedRegex(@"((?:^|[?&;])(?:[\w%.-]*?)(?:api(?:_|-|%5f|%2d)?key|access(?:_|-|%5f|%2d)?token|token|secret|password|passwd|pwd|sig|signature)=)[^&#;\s""'<>]*",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretQueryValue();

    [GeneratedRegex(@"(mcp_[a-z2-7]{16}_)[a-z2-7]{8,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeySecret();
}
