using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>The gateway's effective key rules, parsed and checked once at startup so bad settings fail fast.</summary>
public sealed record ApiKeyPolicy(bool AllowSelfService, RateLimit DefaultRateLimit, RateLimit SelfServiceRateLimit, int MaxExpiresInDays, TimeSpan MaxRotationGracePeriod, int MaxBatchSize)
{
    public static ApiKeyPolicy From(ApiKeyGatewayOptions options, McpClusterOptions cluster)
    {
        if (!RateLimit.TryParse(options.DefaultRateLimit, out var defaultRate, out var error))
        {
            throw new InvalidOperationException($"ApiKeys:DefaultRateLimit: {error}");
        }
        if (!RateLimit.TryParse(options.SelfServiceRateLimit, out var selfServiceRate, out error))
        {
            throw new InvalidOperationException($"ApiKeys:SelfServiceRateLimit: {error}");
        }
        if (options.MaxExpiresInDays < 1)
        {
            throw new InvalidOperationException("ApiKeys:MaxExpiresInDays must be at least 1.");
        }
        if (options.MaxBatchSize < 1)
        {
            throw new InvalidOperationException("ApiKeys:MaxBatchSize must be at least 1.");
        }
        return new ApiKeyPolicy(
            options.AllowSelfService ?? cluster.Mode == ClusterMode.Local,
            defaultRate!,
            selfServiceRate!,
            options.MaxExpiresInDays,
            options.MaxRotationGracePeriod,
            options.MaxBatchSize);
    }
}
