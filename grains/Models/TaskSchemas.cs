namespace Mcp.Cluster.Models;

/// <summary>
/// The input and output schemas a model gets when its registration names none: the shapes
/// <see cref="ModelTaskRunner"/> reads and writes for each task.
/// </summary>
public static class TaskSchemas
{
    private const string Sampling = """
        "max_tokens": { "type": "integer", "minimum": 1, "maximum": 1000000 },
        "temperature": { "type": "number", "minimum": 0, "maximum": 2 },
        "top_p": { "type": "number", "minimum": 0, "maximum": 1 },
        "stop": { "type": "array", "items": { "type": "string" }, "maxItems": 4 }
        """;

    private const string Usage = """
        "usage": {
          "type": ["object", "null"],
          "properties": {
            "prompt_tokens": { "type": "integer" },
            "completion_tokens": { "type": "integer" },
            "total_tokens": { "type": "integer" }
          }
        }
        """;

    public static string Input(ModelTask task) => task switch
    {
        ModelTask.Classification or ModelTask.Sentiment => """
            {
              "type": "object",
              "properties": { "text": { "type": "string", "minLength": 1 } },
              "required": ["text"],
              "additionalProperties": false
            }
            """,
        ModelTask.Completion => $$"""
            {
              "type": "object",
              "properties": {
                "prompt": { "type": "string", "minLength": 1 },
                {{Sampling}}
              },
              "required": ["prompt"],
              "additionalProperties": false
            }
            """,
        ModelTask.Chat => $$"""
            {
              "type": "object",
              "properties": {
                "messages": {
                  "type": "array",
                  "minItems": 1,
                  "items": {
                    "type": "object",
                    "properties": {
                      "role": { "type": "string", "enum": ["system", "user", "assistant"] },
                      "content": { "type": "string" }
                    },
                    "required": ["role", "content"],
                    "additionalProperties": false
                  }
                },
                {{Sampling}}
              },
              "required": ["messages"],
              "additionalProperties": false
            }
            """,
        ModelTask.Embedding => """
            {
              "type": "object",
              "properties": {
                "input": {
                  "type": ["string", "array"],
                  "minLength": 1,
                  "items": { "type": "string", "minLength": 1 },
                  "minItems": 1,
                  "maxItems": 2048
                }
              },
              "required": ["input"],
              "additionalProperties": false
            }
            """,
        _ => """{ "type": "object" }""",
    };

    public static string Output(ModelTask task) => task switch
    {
        ModelTask.Classification => """
            {
              "type": "object",
              "properties": {
                "label": { "type": "string" },
                "score": { "type": "number", "minimum": 0, "maximum": 1 },
                "scores": { "type": "object", "additionalProperties": { "type": "number" } }
              },
              "required": ["label", "score"]
            }
            """,
        ModelTask.Sentiment => """
            {
              "type": "object",
              "properties": {
                "sentiment": { "type": "string", "enum": ["positive", "negative", "neutral"] },
                "confidence": { "type": "number", "minimum": 0, "maximum": 1 },
                "scores": {
                  "type": "object",
                  "properties": {
                    "positive": { "type": "number", "minimum": 0, "maximum": 1 },
                    "negative": { "type": "number", "minimum": 0, "maximum": 1 },
                    "neutral": { "type": "number", "minimum": 0, "maximum": 1 }
                  }
                }
              },
              "required": ["sentiment", "confidence"]
            }
            """,
        ModelTask.Completion or ModelTask.Chat => $$"""
            {
              "type": "object",
              "properties": {
                "text": { "type": "string" },
                "finish_reason": { "type": ["string", "null"] },
                {{Usage}}
              },
              "required": ["text"]
            }
            """,
        ModelTask.Embedding => $$"""
            {
              "type": "object",
              "properties": {
                "embeddings": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } },
                "dimensions": { "type": "integer" },
                {{Usage}}
              },
              "required": ["embeddings", "dimensions"]
            }
            """,
        _ => "{}",
    };
}
