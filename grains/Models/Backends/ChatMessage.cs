namespace Mcp.Cluster.Models.Backends;

/// <summary>One turn of a conversation; <see cref="Role"/> is <c>system</c>, <c>user</c> or <c>assistant</c>.</summary>
public sealed record ChatMessage(string Role, string Content);
