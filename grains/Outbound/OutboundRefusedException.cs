namespace Mcp.Cluster.Outbound;

/// <summary>A restricted connection would have gone to an address the outbound policy does not allow.</summary>
public sealed class OutboundRefusedException(string message) : IOException(message);
