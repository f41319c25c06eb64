using System.Collections.Frozen;
using System.Reflection;

namespace Mcp.Cluster.Models.Backends.BuiltIn;

/// <summary>
/// VADER (Hutto &amp; Gilbert, ICWSM 2014), ported from the reference Python implementation: the human-rated word
/// valences of <c>vader-lexicon.tsv</c> (MIT, see <c>vader-LICENSE.txt</c>) adjusted by its rules for negation
/// ("not satisfied"), intensifiers ("very", "slightly"), "but" (what follows counts more), ALL CAPS emphasis and
/// exclamation marks. Unlike the npm port it reads negations case-insensitively, as the Python original does, so
/// "Not satisfied" is negated. Immutable after construction and safe to share.
/// </summary>
public sealed class VaderAnalyzer
{
    private const string LexiconResource = "Mcp.Cluster.Models.Backends.BuiltIn.vader-lexicon.tsv";

    // Empirically derived constants of the reference implementation.
    private const double BoosterIncrement = 0.293;
    private const double BoosterDecrement = -0.293;
    private const double CapsIncrement = 0.733;
    private const double NegationScalar = -0.74;
    private const double NormalizationAlpha = 15;

    // Python's string.punctuation, what the reference implementation strips from words.
    private const string Punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    private static readonly FrozenSet<string> Negations = new[]
    {
        "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "ain't", "aren't", "can't", "couldn't",
        "daren't", "didn't", "doesn't", "dont", "hadnt", "hasnt", "havent", "isnt", "mightnt", "mustnt", "neither",
        "don't", "hadn't", "hasn't", "haven't", "isn't", "mightn't", "mustn't", "neednt", "needn't", "never", "none",
        "nope", "nor", "not", "nothing", "nowhere", "oughtnt", "shant", "shouldnt", "uhuh", "wasnt", "werent",
        "oughtn't", "shan't", "shouldn't", "uh-uh", "wasn't", "weren't", "without", "wont", "wouldnt", "won't",
        "wouldn't", "rarely", "seldom", "despite",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, double> Boosters = new Dictionary<string, double>
    {
        ["absolutely"] = BoosterIncrement, ["amazingly"] = BoosterIncrement, ["awfully"] = BoosterIncrement,
        ["completely"] = BoosterIncrement, ["considerable"] = BoosterIncrement, ["considerably"] = BoosterIncrement,
        ["decidedly"] = BoosterIncrement, ["deeply"] = BoosterIncrement, ["effing"] = BoosterIncrement,
        ["enormous"] = BoosterIncrement, ["enormously"] = BoosterIncrement, ["entirely"] = BoosterIncrement,
        ["especially"] = BoosterIncrement, ["exceptional"] = BoosterIncrement, ["exceptionally"] = BoosterIncrement,
        ["extreme"] = BoosterIncrement, ["extremely"] = BoosterIncrement, ["fabulously"] = BoosterIncrement,
        ["flipping"] = BoosterIncrement, ["flippin"] = BoosterIncrement, ["frackin"] = BoosterIncrement,
        ["fracking"] = BoosterIncrement, ["fricking"] = BoosterIncrement, ["frickin"] = BoosterIncrement,
        ["frigging"] = BoosterIncrement, ["friggin"] = BoosterIncrement, ["fully"] = BoosterIncrement,
        ["fuckin"] = BoosterIncrement, ["fucking"] = BoosterIncrement, ["fuggin"] = BoosterIncrement,
        ["fugging"] = BoosterIncrement, ["greatly"] = BoosterIncrement, ["hella"] = BoosterIncrement,
        ["highly"] = BoosterIncrement, ["hugely"] = BoosterIncrement, ["incredible"] = BoosterIncrement,
        ["incredibly"] = BoosterIncrement, ["intensely"] = BoosterIncrement, ["major"] = BoosterIncrement,
        ["majorly"] = BoosterIncrement, ["more"] = BoosterIncrement, ["most"] = BoosterIncrement,
        ["particularly"] = BoosterIncrement, ["purely"] = BoosterIncrement, ["quite"] = BoosterIncrement,
        ["really"] = BoosterIncrement, ["remarkably"] = BoosterIncrement, ["so"] = BoosterIncrement,
        ["substantially"] = BoosterIncrement, ["thoroughly"] = BoosterIncrement, ["total"] = BoosterIncrement,
        ["totally"] = BoosterIncrement, ["tremendous"] = BoosterIncrement, ["tremendously"] = BoosterIncrement,
        ["uber"] = BoosterIncrement, ["unbelievably"] = BoosterIncrement, ["unusually"] = BoosterIncrement,
        ["utter"] = BoosterIncrement, ["utterly"] = BoosterIncrement, ["very"] = BoosterIncrement,
        ["almost"] = BoosterDecrement, ["barely"] = BoosterDecrement, ["hardly"] = BoosterDecrement,
        ["just enough"] = BoosterDecrement, ["kind of"] = BoosterDecrement, ["kinda"] = BoosterDecrement,
        ["kindof"] = BoosterDecrement, ["kind-of"] = BoosterDecrement, ["less"] = BoosterDecrement,
        ["little"] = BoosterDecrement, ["marginal"] = BoosterDecrement, ["marginally"] = BoosterDecrement,
        ["occasional"] = BoosterDecrement, ["occasionally"] = BoosterDecrement, ["partly"] = BoosterDecrement,
        ["scarce"] = BoosterDecrement, ["scarcely"] = BoosterDecrement, ["slight"] = BoosterDecrement,
        ["slightly"] = BoosterDecrement, ["somewhat"] = BoosterDecrement, ["sort of"] = BoosterDecrement,
        ["sorta"] = BoosterDecrement, ["sortof"] = BoosterDecrement, ["sort-of"] = BoosterDecrement,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, double> Idioms = new Dictionary<string, double>
    {
        ["the shit"] = 3, ["the bomb"] = 3, ["bad ass"] = 1.5, ["badass"] = 1.5, ["bus stop"] = 0, ["yeah right"] = -2,
        ["kiss of death"] = -1.5, ["to die for"] = 3, ["beating heart"] = 3.1, ["broken heart"] = -2.9,
        ["cut the mustard"] = 2, ["hand to mouth"] = -2,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, double> _lexicon;

    private VaderAnalyzer(FrozenDictionary<string, double> lexicon) => _lexicon = lexicon;

    public int LexiconSize => _lexicon.Count;

    /// <summary>Reads the lexicon shipped in this assembly (about 7,500 entries; a few milliseconds).</summary>
    public static VaderAnalyzer Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(LexiconResource)
            ?? throw new InvalidOperationException($"The VADER lexicon {LexiconResource} is missing from the assembly.");
        using var reader = new StreamReader(stream);
        var lexicon = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var tab = line.IndexOf('\t');
            if (tab > 0 && double.TryParse(line.AsSpan(tab + 1), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out var valence))
            {
                // Later entries win, as in the reference implementation's dict.
                lexicon[line[..tab]] = valence;
            }
        }
        return new VaderAnalyzer(lexicon.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public VaderScores Score(string text)
    {
        var words = Tokenize(text);
        if (words.Length == 0)
        {
            return VaderScores.Empty;
        }
        var lower = new string[words.Length];
        var capsCount = 0;
        var negated = false;
        for (var i = 0; i < words.Length; i++)
        {
            lower[i] = words[i].ToLowerInvariant();
            negated |= IsNegation(lower[i]);
            if (IsUpper(words[i]))
            {
                capsCount++;
            }
        }
        // Caps only emphasise when some words, not all, are shouted.
        var capsDifferential = capsCount > 0 && capsCount < words.Length;

        var sentiments = new double[words.Length];
        var hits = 0;
        for (var i = 0; i < words.Length; i++)
        {
            if (Boosters.ContainsKey(lower[i]) || (i < words.Length - 1 && lower[i] == "kind" && lower[i + 1] == "of"))
            {
                continue;
            }
            if (_lexicon.TryGetValue(lower[i], out _))
            {
                hits++;
                sentiments[i] = Valence(words, lower, i, capsDifferential);
            }
        }
        ApplyBut(lower, sentiments);
        return Summarize(sentiments, text, hits, negated);
    }

    private double Valence(string[] words, string[] lower, int i, bool capsDifferential)
    {
        var baseValence = _lexicon[lower[i]];
        var valence = baseValence;
        // "no" before another opinion word negates it instead of counting as a negative word itself.
        if (lower[i] == "no" && i != words.Length - 1 && _lexicon.ContainsKey(lower[i + 1]))
        {
            valence = 0;
        }
        if ((i > 0 && lower[i - 1] == "no") || (i > 1 && lower[i - 2] == "no")
            || (i > 2 && lower[i - 3] == "no" && lower[i - 1] is "or" or "nor"))
        {
            valence = baseValence * NegationScalar;
        }
        if (capsDifferential && IsUpper(words[i]))
        {
            valence += valence > 0 ? CapsIncrement : -CapsIncrement;
        }
        for (var start = 0; start < 3; start++)
        {
            if (i > start && !_lexicon.ContainsKey(lower[i - (start + 1)]))
            {
                var scalar = BoosterScalar(words[i - (start + 1)], lower[i - (start + 1)], valence, capsDifferential);
                scalar *= start switch { 1 => 0.95, 2 => 0.9, _ => 1 };
                valence += scalar;
                valence = NegationCheck(valence, lower, start, i);
                if (start == 2)
                {
                    valence = IdiomsCheck(valence, lower, i);
                }
            }
        }
        return LeastCheck(valence, lower, i);
    }

    private static double BoosterScalar(string word, string lower, double valence, bool capsDifferential)
    {
        if (!Boosters.TryGetValue(lower, out var scalar))
        {
            return 0;
        }
        if (valence < 0)
        {
            scalar = -scalar;
        }
        if (capsDifferential && IsUpper(word))
        {
            scalar += valence > 0 ? CapsIncrement : -CapsIncrement;
        }
        return scalar;
    }

    private static double NegationCheck(double valence, string[] lower, int start, int i)
    {
        switch (start)
        {
            case 0 when IsNegation(lower[i - 1]):
                return valence * NegationScalar;
            case 1:
                if (lower[i - 2] == "never" && lower[i - 1] is "so" or "this")
                {
                    return valence * 1.25;
                }
                if (lower[i - 2] == "without" && lower[i - 1] == "doubt")
                {
                    return valence;
                }
                return IsNegation(lower[i - 2]) ? valence * NegationScalar : valence;
            case 2:
                if ((lower[i - 3] == "never" && lower[i - 2] is "so" or "this") || lower[i - 1] is "so" or "this")
                {
                    return valence * 1.25;
                }
                if (lower[i - 3] == "without" && (lower[i - 2] == "doubt" || lower[i - 1] == "doubt"))
                {
                    return valence;
                }
                return IsNegation(lower[i - 3]) ? valence * NegationScalar : valence;
            default:
                return valence;
        }
    }

    private static double IdiomsCheck(double valence, string[] lower, int i)
    {
        string[] before =
        [
            $"{lower[i - 1]} {lower[i]}", $"{lower[i - 2]} {lower[i - 1]} {lower[i]}", $"{lower[i - 2]} {lower[i - 1]}",
            $"{lower[i - 3]} {lower[i - 2]} {lower[i - 1]}", $"{lower[i - 3]} {lower[i - 2]}",
        ];
        foreach (var sequence in before)
        {
            if (Idioms.TryGetValue(sequence, out var idiom))
            {
                valence = idiom;
                break;
            }
        }
        if (lower.Length - 1 > i && Idioms.TryGetValue($"{lower[i]} {lower[i + 1]}", out var next))
        {
            valence = next;
        }
        if (lower.Length - 1 > i + 1 && Idioms.TryGetValue($"{lower[i]} {lower[i + 1]} {lower[i + 2]}", out var next2))
        {
            valence = next2;
        }
        if (Boosters.ContainsKey(before[4]) || Boosters.ContainsKey(before[2]))
        {
            valence += BoosterDecrement;
        }
        return valence;
    }

    private double LeastCheck(double valence, string[] lower, int i)
    {
        if (i > 0 && lower[i - 1] == "least" && !_lexicon.ContainsKey("least"))
        {
            // "least favourite" flips; "at least good" and "very least" do not.
            if (i == 1 || lower[i - 2] is not ("at" or "very"))
            {
                return valence * NegationScalar;
            }
        }
        return valence;
    }

    // What follows "but" outweighs what precedes it.
    private static void ApplyBut(string[] lower, double[] sentiments)
    {
        var but = Array.IndexOf(lower, "but");
        if (but < 0)
        {
            return;
        }
        for (var i = 0; i < sentiments.Length; i++)
        {
            if (i < but)
            {
                sentiments[i] *= 0.5;
            }
            else if (i > but)
            {
                sentiments[i] *= 1.5;
            }
        }
    }

    private static VaderScores Summarize(double[] sentiments, string text, int hits, bool negated)
    {
        var sum = 0.0;
        double positive = 0, negative = 0;
        var neutral = 0;
        foreach (var s in sentiments)
        {
            sum += s;
            // +-1 compensates for neutral words being counted as 1.
            if (s > 0)
            {
                positive += s + 1;
            }
            else if (s < 0)
            {
                negative += s - 1;
            }
            else
            {
                neutral++;
            }
        }
        var (emphasis, exclamations) = PunctuationEmphasis(text);
        sum += sum > 0 ? emphasis : sum < 0 ? -emphasis : 0;
        var compound = Math.Clamp(sum / Math.Sqrt(sum * sum + NormalizationAlpha), -1, 1);
        if (positive > Math.Abs(negative))
        {
            positive += emphasis;
        }
        else if (positive < Math.Abs(negative))
        {
            negative -= emphasis;
        }
        var total = positive + Math.Abs(negative) + neutral;
        return new VaderScores(compound, positive / total, Math.Abs(negative) / total, neutral / total, hits, negated,
            exclamations, sentiments.Length);
    }

    private static (double Emphasis, int Exclamations) PunctuationEmphasis(string text)
    {
        int exclamations = 0, questions = 0;
        foreach (var c in text)
        {
            if (c == '!')
            {
                exclamations++;
            }
            else if (c == '?')
            {
                questions++;
            }
        }
        var emphasis = Math.Min(exclamations, 4) * 0.292;
        if (questions > 1)
        {
            emphasis += questions <= 3 ? questions * 0.18 : 0.96;
        }
        return (emphasis, exclamations);
    }

    private static bool IsNegation(string lower) => Negations.Contains(lower) || lower.Contains("n't", StringComparison.Ordinal);

    // Python's str.isupper: at least one cased letter, and no lower-case one.
    private static bool IsUpper(string word)
    {
        var cased = false;
        foreach (var c in word)
        {
            if (char.IsLower(c))
            {
                return false;
            }
            cased |= char.IsUpper(c);
        }
        return cased;
    }

    /// <summary>Whitespace tokens with surrounding punctuation removed, unless that leaves two characters or fewer (emoticons such as ":)" survive).</summary>
    private static string[] Tokenize(string text)
    {
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < tokens.Length; i++)
        {
            var stripped = tokens[i].AsSpan().Trim(Punctuation);
            if (stripped.Length > 2 && stripped.Length != tokens[i].Length)
            {
                tokens[i] = stripped.ToString();
            }
        }
        return tokens;
    }
}
