namespace Mcp.Cluster.Models;

[GenerateSerializer, Alias("mcp.ModelType")]
public enum ModelType
{
    Internal,
    ThirdParty,
}
