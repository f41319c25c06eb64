namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// A chat or completion request. For completion, <see cref="Prompt"/> is set and <see cref="Messages"/> is empty.
/// Unset sampling parameters fall back to the model's config.
/// </summary>
public sealed record TextGenerationRequest(
    IReadOnlyList<ChatMessage> Messages,
    string? Prompt = null,
    int? MaxTokens = null,
    double? Temperature = null,
    double? TopP = null,
    IReadOnlyList<string>? Stop = null);
