namespace Mcp.Cluster.Models.Backends;

/// <summary>
/// The user guide's sentiment answer for one text: <c>positive</c>, <c>negative</c> or <c>neutral</c>, how sure
/// (0..1), and each class's share (they add up to 1; the answered class has the largest).
/// </summary>
public sealed record SentimentResult(string Sentiment, double Confidence, IReadOnlyDictionary<string, double> Scores);
