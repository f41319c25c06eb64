namespace Mcp.Cluster.Gateway.Usage;

public static class RequestUsageExtensions
{
    /// <summary>This request's usage record; a request outside <see cref="UsageMiddleware"/> gets a throwaway one.</summary>
    public static RequestUsage Usage(this HttpContext context)
    {
        var usage = context.Features.Get<RequestUsage>();
        if (usage is null)
        {
            usage = new RequestUsage();
            context.Features.Set(usage);
        }
        return usage;
    }
}
