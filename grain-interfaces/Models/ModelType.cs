namespace Mcp.Cluster.Models;

[GenerateSerializer]
public enum ModelType
{
    Internal,
    ThirdParty,
}
