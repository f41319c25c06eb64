namespace Mcp.Cluster.Outbound;

/// <summary>
/// A restricted connection would have gone to an address the outbound policy does not allow. The message goes back
/// to the caller, so it names no resolved address (that would tell a stranger where internal names point);
/// <see cref="ResolvedTo"/> keeps it for the operator's logs.
/// </summary>
public sealed class OutboundRefusedException(string message, string? resolvedTo = null) : IOException(message)
{
    public string? ResolvedTo { get; } = resolvedTo;

    public override string ToString() => ResolvedTo is null ? base.ToString() : $"{base.ToString()}{Environment.NewLine}Resolved to: {ResolvedTo}";
}
