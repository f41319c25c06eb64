using System.Globalization;

namespace Mcp.Cluster.Gateway.Http;

public static class RetryAfterHeader
{
    /// <summary>Sets <c>Retry-After</c> to the wait in whole seconds, rounded up and at least 1, and returns that number.</summary>
    public static long Set(HttpResponse response, TimeSpan wait)
    {
        var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return seconds;
    }
}
