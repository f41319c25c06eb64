namespace Mcp.Cluster.Models.Backends;

/// <summary>The best label and the score of every label, for one input text.</summary>
public sealed record ClassificationResult(string Label, double Score, IReadOnlyDictionary<string, double> Scores);
