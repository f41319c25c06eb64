namespace Mcp.Cluster.Models;

/// <summary>An input passed the model's schema but lacks what the task needs (e.g. a custom schema without <c>text</c>).</summary>
public sealed class PredictionInputException(string message, string? field) : Exception(message)
{
    public string? Field { get; } = field;

    public int? Index { get; init; }
}
