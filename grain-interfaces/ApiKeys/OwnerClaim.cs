namespace Mcp.Cluster.ApiKeys;

/// <summary>The answer to a claim on an owner name by a caller who does not already belong to it.</summary>
[GenerateSerializer, Alias("mcp.OwnerClaim")]
public enum OwnerClaim
{
    Claimed = 0,
    Taken = 1,
    Reserved = 2,
}
