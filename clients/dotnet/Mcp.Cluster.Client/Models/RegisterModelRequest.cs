using System.Text.Json;

namespace Mcp.Cluster.Client;

/// <summary>
/// The body of <c>POST /api/models</c>. For the built-in sentiment classifier:
/// <c>new() { Name = "review-sentiment", Provider = "builtin", Config = JsonValues.From(new Dictionary&lt;string, object?&gt; { ["model"] = "sentiment" }) }</c>.
/// </summary>
public sealed record RegisterModelRequest
{
    public required string Name { get; init; }

    /// <summary>Defaults to 1.0.0.</summary>
    public string? Version { get; init; }

    public string? Description { get; init; }

    /// <summary><c>internal</c> or <c>third_party</c>.</summary>
    public string? ModelType { get; init; }

    /// <summary><c>openai</c>, <c>huggingface</c>, <c>http</c>, <c>builtin</c>, <c>onnx</c>, <c>sentence_transformers</c>, or none.</summary>
    public string? Provider { get; init; }

    public JsonElement? InputSchema { get; init; }

    public JsonElement? OutputSchema { get; init; }

    public IReadOnlyList<ModelDataSource>? DataSources { get; init; }

    /// <summary>Provider settings; secrets as values (encrypted at rest) or <c>${ENV_VAR}</c> references.</summary>
    public JsonElement? Config { get; init; }
}
