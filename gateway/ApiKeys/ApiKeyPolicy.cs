using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>The gateway's effective key rules, parsed and checked once at startup so bad settings fail fast.</summary>
public sealed record ApiKeyPolicy(bool AllowSelfService, RateLimit DefaultRateLimit, RateLimit SelfServiceRateLimit, int MaxExpiresInDays, TimeSpan MaxRotationGracePeriod, int MaxBatchSize,
    Permissions DefaultPermissions = Permissions.Read, int DefaultExpiresInDays = 0)
{
    /// <summary>The bounds and defaults the key grains decide issuing and rotating by.</summary>
    public ApiKeyRules Rules { get; } = new(DefaultPermissions, DefaultRateLimit, DefaultExpiresInDays, MaxExpiresInDays, MaxRotationGracePeriod);

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
        if (!PermissionNames.TryParse(options.DefaultPermissions ?? [], out var defaultPermissions, out var unknown)
            || defaultPermissions == Permissions.None)
        {
            throw new InvalidOperationException($"ApiKeys:DefaultPermissions must name at least one of read, write, execute{(unknown is null ? "" : $" (not '{unknown}')")}.");
        }
        if (defaultPermissions.HasFlag(Permissions.Admin))
        {
            throw new InvalidOperationException("ApiKeys:DefaultPermissions cannot include 'admin': an admin key is always asked for by name.");
        }
        if (options.DefaultExpiresInDays < 0 || options.DefaultExpiresInDays > options.MaxExpiresInDays)
        {
            throw new InvalidOperationException($"ApiKeys:DefaultExpiresInDays must be between 0 (no expiry) and ApiKeys:MaxExpiresInDays ({options.MaxExpiresInDays}).");
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
            options.MaxBatchSize,
            defaultPermissions,
            options.DefaultExpiresInDays);
    }
}
