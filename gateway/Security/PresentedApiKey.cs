namespace Mcp.Cluster.Gateway.Security;

/// <summary>Where a caller may put its key: <c>X-API-Key</c>, <c>Authorization: Bearer</c>, or (browser pages) the Basic password.</summary>
public static class PresentedApiKey
{
    /// <summary>
    /// True when the credential came as <c>Authorization: Bearer</c> and no <c>X-API-Key</c> was sent: only there may
    /// it be an OAuth access token instead of a key.
    /// </summary>
    public static bool IsBearer(HttpRequest request) =>
        string.IsNullOrWhiteSpace(request.Headers[ApiKeyAuthenticationDefaults.HeaderName].FirstOrDefault())
        && request.Headers.Authorization.FirstOrDefault() is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    public static string? Read(HttpRequest request, bool browser)
    {
        var header = request.Headers[ApiKeyAuthenticationDefaults.HeaderName];
        if (header.Count > 0 && !string.IsNullOrWhiteSpace(header[0]))
        {
            return header[0]!.Trim();
        }
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0 && authorization[0] is { } value
            && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = value["Bearer ".Length..].Trim();
            return token.Length > 0 ? token : null;
        }
        if (browser && authorization.Count > 0 && authorization[0] is { } basic
            && basic.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            // user:password with the key as the password; the user name is ignored (browsers insist on asking for one).
            try
            {
                var pair = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(basic["Basic ".Length..].Trim()));
                var colon = pair.IndexOf(':');
                var key = (colon >= 0 ? pair[(colon + 1)..] : pair).Trim();
                return key.Length > 0 ? key : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
        return null;
    }
}
