using System.ComponentModel.DataAnnotations;
using System.Net;
using Mcp.Cluster.Hosting.Postgres;

namespace Mcp.Cluster.Hosting;

/// <summary>Bound from the <c>Cluster</c> configuration section (environment: <c>MCP_Cluster__Mode</c> and so on).</summary>
public sealed class McpClusterOptions
{
    public const string Section = "Cluster";

    public ClusterMode Mode { get; set; } = ClusterMode.Local;

    [Required]
    public string ClusterId { get; set; } = "mcp-cluster";

    [Required]
    public string ServiceId { get; set; } = "mcp-cluster";

    /// <summary>Silo-to-silo port (plus <see cref="Instance"/>).</summary>
    [Range(0, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (standalone gateways) connect to (plus <see cref="Instance"/>).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// Which of several processes on one machine this is (<c>--instance N</c>): added to <see cref="SiloPort"/>,
    /// <see cref="GatewayPort"/> and a gateway's default HTTP port, so instances need no other configuration.
    /// </summary>
    [NonNegative]
    public int Instance { get; set; }

    /// <summary>
    /// Where a standalone silo serves <c>GET /metrics</c> (Prometheus) and <c>GET /health</c>, plus
    /// <see cref="Instance"/>, on <see cref="ListenAddress"/>; 0 turns the listener off.
    /// </summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9400;

    /// <summary>
    /// The address other silos and gateways reach this silo at (Postgres mode). Unset: the machine's first
    /// non-loopback address. Set 127.0.0.1 for a cluster on one machine.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// The address a standalone silo's silo, client and metrics ports are bound to (Postgres mode). Unset: the
    /// <see cref="AdvertisedAddress"/> when one is set (127.0.0.1 keeps a one-machine cluster off the network), every
    /// interface otherwise (and in Kubernetes, where the pod's address is advertised). <c>0.0.0.0</c> or <c>::</c>
    /// binds every interface while advertising a single address.
    /// </summary>
    public string? ListenAddress { get; set; }

    /// <summary>
    /// Running as pods in Kubernetes (Postgres mode): the silo takes its name, address and cluster ids from the pod
    /// (Microsoft.Orleans.Hosting.Kubernetes, via the POD_* and ORLEANS_* variables of deploy/k8s) and removes silos
    /// whose pods are gone from membership at once instead of waiting for failure detection.
    /// </summary>
    public bool Kubernetes { get; set; }

    public PostgresClusterOptions Postgres { get; set; } = new();

    /// <summary>The parsed <see cref="AdvertisedAddress"/>, or null when unset.</summary>
    public IPAddress? AdvertisedIPAddress() => Parse(nameof(AdvertisedAddress), AdvertisedAddress);

    /// <summary>Where to bind (see <see cref="ListenAddress"/>): null means every interface.</summary>
    public IPAddress? ListenIPAddress() =>
        Parse(nameof(ListenAddress), ListenAddress) ?? (Kubernetes ? null : AdvertisedIPAddress());

    private static IPAddress? Parse(string setting, string? value) => value switch
    {
        null or "" => null,
        _ when IPAddress.TryParse(value, out var address) => address,
        _ => throw new InvalidOperationException($"Cluster:{setting} '{value}' is not an IP address."),
    };

    /// <summary>Where the local mode keeps its files (grain database, generated secrets).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Grain locations each silo caches. Orleans sizes the cache's table for this many entries up front (its default,
    /// a million, costs about 18 MB per silo before a single grain runs); raise it for clusters with more active grains.
    /// </summary>
    [Positive]
    public int DirectoryCacheSize { get; set; } = 100_000;
}
