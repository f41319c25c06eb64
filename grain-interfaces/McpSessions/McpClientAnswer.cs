namespace Mcp.Cluster.McpSessions;

/// <summary>
/// A client's answer to a request the gateway sent it (sampling, elicitation), posted to a gateway other than the one
/// waiting for it: carried on the <see cref="McpClientAnswers"/> stream to <see cref="GatewayId"/>.
/// <see cref="Json"/> is the JSON-RPC response or error as the client sent it.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.McpClientAnswer")]
public sealed record McpClientAnswer(
    [property: Id(0)] string GatewayId,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string RequestId,
    [property: Id(3)] string Json);

/// <summary>The Orleans stream every gateway listens on for answers posted to another gateway.</summary>
public static class McpClientAnswers
{
    public const string Namespace = "client-answers";
    public const string Key = "all";
}
