using System.Collections.Frozen;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// The user guide's request bodies, keyed by operation id. Swagger UI's "Try it out" pre-fills the example, so the
/// walkthrough's bodies are the ones a reader starts from; a body generated from the schema alone
/// (<c>"permissions": ["string"]</c>) would be refused.
/// </summary>
public static class GuideExamples
{
    public const string CreateApiKey = """
        {
          "owner": "your.email@example.com",
          "description": "Model deployment key"
        }
        """;

    public const string RegisterModel = """
        {
          "name": "sentiment-analyzer",
          "version": "1.0.0",
          "description": "BERT-based sentiment analysis model",
          "input_schema": {
            "type": "object",
            "properties": {
              "text": {"type": "string"}
            }
          },
          "output_schema": {
            "type": "object",
            "properties": {
              "sentiment": {"type": "string", "enum": ["positive", "negative", "neutral"]},
              "confidence": {"type": "number"}
            }
          }
        }
        """;

    public const string Predict = """
        {
          "text": "This product is amazing!"
        }
        """;

    public const string PredictBatch = """
        {
          "inputs": [
            {"text": "This product is amazing!"},
            {"text": "Not satisfied with the quality."}
          ]
        }
        """;

    /// <summary>The guide's answers to predict and batch (batch with our model_id), whose schemas (any JSON, per model) show nothing useful.</summary>
    public const string PredictAnswer = """
        {
          "sentiment": "positive",
          "confidence": 0.95
        }
        """;

    public const string PredictBatchAnswer = """
        {
          "model_id": "mod_xxxxx",
          "predictions": [
            {"sentiment": "positive", "confidence": 0.95},
            {"sentiment": "negative", "confidence": 0.87}
          ]
        }
        """;

    private static readonly FrozenDictionary<string, string> Answers = new Dictionary<string, string>
    {
        ["Predict"] = PredictAnswer,
        ["PredictBatch"] = PredictBatchAnswer,
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, string> ByOperation = new Dictionary<string, string>
    {
        ["CreateApiKey"] = CreateApiKey,
        ["RegisterModel"] = RegisterModel,
        ["Predict"] = Predict,
        ["PredictBatch"] = PredictBatch,
    }.ToFrozenDictionary();

    /// <summary>The guide's body for <paramref name="operationId"/>, parsed anew (the document owns and may change it).</summary>
    public static JsonNode? For(string? operationId) =>
        operationId is not null && ByOperation.TryGetValue(operationId, out var json) ? JsonNode.Parse(json) : null;

    /// <summary>The guide's successful answer for <paramref name="operationId"/>, where the schema alone says nothing.</summary>
    public static JsonNode? AnswerFor(string? operationId) =>
        operationId is not null && Answers.TryGetValue(operationId, out var json) ? JsonNode.Parse(json) : null;
}
