using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Gateway.Security;

/// <summary>
/// Request feature: the key grain's one answer for this request, kept by the authentication handler so the
/// authorization handler and the refusal writer decide from it instead of asking the grain again.
/// </summary>
public sealed record ApiKeyAccess(ApiKeyRequirement Requirement, AccessDecision Decision, int BatchSize)
{
    /// <summary>A batch over the endpoint's maximum is metered at 1 and refused after the key's own checks pass.</summary>
    public bool Oversize => BatchSize > Requirement.MaxBatchSize;

    public int Cost => Oversize ? 1 : BatchSize;
}
