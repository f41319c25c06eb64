using Mcp.Cluster.Models.Backends.BuiltIn;

namespace Mcp.Cluster.Tests.Models;

/// <summary>The VADER port keeps the reference implementation's rules (values from the Python original's behaviour).</summary>
[Trait("Tier", "Unit")]
public sealed class VaderAnalyzerTests
{
    private static readonly VaderAnalyzer Vader = VaderAnalyzer.Load();

    [Fact]
    public void The_whole_lexicon_is_shipped()
    {
        Assert.True(Vader.LexiconSize > 7400, $"{Vader.LexiconSize} entries");
    }

    [Fact]
    public void Scores_the_reference_examples()
    {
        // vaderSentiment's README: "VADER is smart, handsome, and funny." compound 0.8316.
        Assert.Equal(0.8316, Vader.Score("VADER is smart, handsome, and funny.").Compound, 4);
        // "VADER is smart, handsome, and funny!" 0.8439, one exclamation mark adds emphasis.
        Assert.Equal(0.8439, Vader.Score("VADER is smart, handsome, and funny!").Compound, 4);
        // "VADER is VERY SMART, handsome, and FUNNY." 0.9227: caps emphasise.
        Assert.Equal(0.9227, Vader.Score("VADER is VERY SMART, handsome, and FUNNY.").Compound, 4);
        // "VADER is not smart, handsome, nor funny." -0.7424: negation flips.
        Assert.Equal(-0.7424, Vader.Score("VADER is not smart, handsome, nor funny.").Compound, 4);
        // "The book was good, but the plot was kind of boring." -> "but" shifts weight to what follows.
        Assert.True(Vader.Score("The book was good, but the plot was boring.").Compound < 0);
    }

    [Fact]
    public void Negation_is_read_whatever_its_case()
    {
        // The npm port compares "Not" case-sensitively and calls this positive; the Python original does not.
        var scores = Vader.Score("Not satisfied with the quality.");

        Assert.True(scores.Compound < -0.3, $"compound {scores.Compound}");
        Assert.True(scores.Negated);
    }

    [Fact]
    public void A_sentence_without_opinion_words_has_no_hits()
    {
        var scores = Vader.Score("The package arrived on Tuesday.");

        Assert.Equal(0, scores.LexiconHits);
        Assert.Equal(0, scores.Compound);
        Assert.Equal(VaderScores.Empty, Vader.Score("   "));
    }
}
