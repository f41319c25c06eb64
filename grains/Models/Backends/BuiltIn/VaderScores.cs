namespace Mcp.Cluster.Models.Backends.BuiltIn;

/// <summary>
/// VADER's reading of one text: <see cref="Compound"/> in [-1, 1] (its overall polarity), the shares of positive,
/// negative and neutral words, how many words the lexicon knew (none means VADER has no opinion), and the surface
/// cues a learned model weighs beside them: a negation word, exclamation marks, the number of words.
/// </summary>
public readonly record struct VaderScores(
    double Compound, double Positive, double Negative, double Neutral, int LexiconHits, bool Negated, int Exclamations, int Words)
{
    public static VaderScores Empty { get; } = new(0, 0, 0, 0, 0, false, 0, 0);
}
