using Mcp.Cluster.Hosting;
using System.ComponentModel.DataAnnotations;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>Bound from the <c>ApiKeys</c> section.</summary>
public sealed class ApiKeyGatewayOptions
{
    public const string Section = "ApiKeys";

    /// <summary>
    /// Whether anyone may create a (non-admin) key without presenting one. Unset means: on in the local mode,
    /// off in cluster mode.
    /// </summary>
    public bool? AllowSelfService { get; set; }

    /// <summary>Anonymous key creations allowed per client IP address (per gateway process).</summary>
    [Required]
    public string SelfServiceRateLimit { get; set; } = "10/minute";

    /// <summary>Rate limit of keys created without one.</summary>
    [Required]
    public string DefaultRateLimit { get; set; } = "100/minute";

    /// <summary>
    /// Permissions of a key created without <c>permissions</c> (the user guide's <c>read, write, execute</c>). A
    /// non-admin creator's key gets the part of these it holds itself; <c>admin</c> is never a default.
    /// </summary>
    public string[] DefaultPermissions { get; set; } = ["read", "write", "execute"];

    /// <summary>Lifetime of a key created without <c>expires_in_days</c>; 0 means such keys do not expire.</summary>
    [Positive]
    public int DefaultExpiresInDays { get; set; } = 365;

    /// <summary>Most keys one <c>POST /api/keys/batch</c> may create.</summary>
    [Positive]
    public int MaxBatchSize { get; set; } = 100;

    [Positive]
    public int MaxExpiresInDays { get; set; } = 3650;

    [NonNegative]
    public TimeSpan MaxRotationGracePeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Bootstrap admin key (also <c>MCP_ADMIN_KEY</c>). When unset, one is generated at first start and printed once.
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// Secret for the keyed hash of API keys (also <c>MCP_API_KEY_HASH_SECRET</c>), at least 32 characters. Every
    /// gateway of a cluster needs the same one; the local mode generates one into its data directory.
    /// </summary>
    public string? HashSecret { get; set; }
}
