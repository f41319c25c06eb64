namespace Mcp.Cluster.ApiKeys;

/// <summary>What an API key may do. <see cref="Admin"/> implies every other permission.</summary>
[Flags]
[GenerateSerializer, Alias("mcp.Permissions")]
public enum Permissions
{
    None = 0,
    Read = 1,
    Write = 2,
    Execute = 4,
    Admin = 8,
}
