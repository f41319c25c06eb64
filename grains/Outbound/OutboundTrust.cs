namespace Mcp.Cluster.Outbound;

/// <summary>
/// Who set a target, which decides the connection pool its requests use. The two never share connections, so a
/// connection opened for an admin's internal service can never carry a request that a non-admin aimed there.
/// </summary>
public enum OutboundTrust
{
    /// <summary>Set by a non-admin key: every connection is checked against the outbound policy.</summary>
    Restricted,

    /// <summary>Set by an admin: connects wherever it points.</summary>
    Trusted,
}
