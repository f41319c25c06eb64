namespace Mcp.Cluster.Gateway.OpenAi;

/// <summary>
/// Endpoint metadata: errors on this route are written in OpenAI's shape
/// (<c>{"error": {"message", "type", "param", "code"}}</c>) so that OpenAI SDKs report them properly.
/// </summary>
public sealed class OpenAiCompatible
{
    public static readonly OpenAiCompatible Instance = new();
}
