namespace Mcp.Cluster.Outbound;

/// <summary>
/// Where targets set by non-admin keys (model and tool URLs) may lead. Admin-set targets are not restricted.
/// </summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>
    /// Targets everyone may use, internal ones included: host names (<c>ollama.lan</c>, any port), <c>host:port</c>,
    /// IP addresses (<c>10.0.0.5</c>, <c>[::1]:8080</c>) or CIDR ranges (<c>10.20.0.0/16</c>).
    /// </summary>
    public List<string> AllowedTargets { get; set; } = [];

    /// <summary>
    /// Whether non-admin targets may be public addresses. False keeps non-admin keys to <see cref="AllowedTargets"/>
    /// (for air-gapped operators).
    /// </summary>
    public bool AllowPublicTargets { get; set; } = true;
}
