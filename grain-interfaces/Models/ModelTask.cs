namespace Mcp.Cluster.Models;

/// <summary>What a backend can do; a model serves one of these through <c>/predict</c> (its <c>task</c>).</summary>
[GenerateSerializer, Alias("mcp.ModelTask")]
public enum ModelTask
{
    Completion,
    Chat,
    Embedding,
    Classification,
    Predict,

    /// <summary>The user guide's sentiment shape: <c>{sentiment: positive|negative|neutral, confidence}</c>.</summary>
    Sentiment,
}
