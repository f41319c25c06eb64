using System.Globalization;
using System.Text;

namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// A question split into words, each lower-cased and with its original spelling; numbers are read once, with their
/// money and magnitude marks ("$150k", "1.2 million", "2,500") turned into values. Words are what every rule of the
/// translator works on, by position, so a phrase found by one rule can be claimed and not reused by another.
/// </summary>
public sealed class QuestionText
{
    public const int MaxLength = 1000;

    private const int MaxDigits = 15;

    private static readonly Dictionary<string, decimal> NumberWords = new(StringComparer.Ordinal)
    {
        ["one"] = 1, ["two"] = 2, ["three"] = 3, ["four"] = 4, ["five"] = 5, ["six"] = 6, ["seven"] = 7, ["eight"] = 8, ["nine"] = 9,
        ["ten"] = 10, ["eleven"] = 11, ["twelve"] = 12, ["fifteen"] = 15, ["twenty"] = 20, ["thirty"] = 30, ["fifty"] = 50, ["hundred"] = 100,
        ["dozen"] = 12,
    };

    private QuestionText(string original, IReadOnlyList<Word> words)
    {
        Original = original;
        Words = words;
    }

    public string Original { get; }

    public IReadOnlyList<Word> Words { get; }

    public int Count => Words.Count;

    public string this[int index] => Words[index].Text;

    public static QuestionText Parse(string question)
    {
        var words = new List<Word>();
        var i = 0;
        var text = question.Length > MaxLength ? question[..MaxLength] : question;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '$' || char.IsAsciiDigit(c))
            {
                var start = i;
                var money = c == '$';
                if (money)
                {
                    i++;
                }
                var number = new StringBuilder();
                while (i < text.Length && (char.IsAsciiDigit(text[i]) || (text[i] is ',' or '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))))
                {
                    if (text[i] != ',')
                    {
                        number.Append(text[i]);
                    }
                    i++;
                }
                if (number.Length == 0)
                {
                    continue;
                }
                // Longer numbers are no amount anyone asks about; read as a word, they can never overflow a value.
                if (number.Length > MaxDigits
                    || !decimal.TryParse(number.ToString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                {
                    words.Add(new Word(number.ToString(), text[start..i], null, false, false));
                    continue;
                }
                var scaled = false;
                if (i < text.Length && (text[i] is 'k' or 'K') && (i + 1 == text.Length || !char.IsLetter(text[i + 1])))
                {
                    value *= 1000;
                    scaled = true;
                    i++;
                }
                else if (i < text.Length && (text[i] is 'm' or 'M') && (i + 1 == text.Length || !char.IsLetter(text[i + 1])))
                {
                    value *= 1_000_000;
                    scaled = true;
                    i++;
                }
                var plus = i < text.Length && text[i] == '+';
                if (plus)
                {
                    i++;
                }
                words.Add(new Word(number.ToString(), text[start..i], value, money || scaled, plus));
                continue;
            }
            if (char.IsLetter(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_' || (text[i] == '\'' && i + 1 < text.Length && char.IsLetter(text[i + 1]))))
                {
                    i++;
                }
                var original = text[start..i];
                var lower = original.ToLowerInvariant();
                if (lower.EndsWith("'s", StringComparison.Ordinal))
                {
                    lower = lower[..^2];
                }
                // "thousand"/"million" after a number scale it.
                if (lower is "thousand" or "million" && words.Count > 0 && words[^1].Number is { } n && !words[^1].Scaled)
                {
                    words[^1] = words[^1] with { Number = n * (lower == "thousand" ? 1000 : 1_000_000), Scaled = true, Original = words[^1].Original + " " + original };
                    continue;
                }
                // "ten", "two-story": numbers written as words count as numbers (the hyphen splits the words above).
                words.Add(NumberWords.TryGetValue(lower, out var spelled)
                    ? new Word(spelled.ToString(CultureInfo.InvariantCulture), original, spelled, false, false)
                    : new Word(lower, original, null, false, false));
                continue;
            }
            if (c is '<' or '>' or '=')
            {
                var start = i;
                i++;
                if (i < text.Length && text[i] == '=')
                {
                    i++;
                }
                var symbol = text[start..i];
                words.Add(new Word(symbol, symbol, null, false, false));
                continue;
            }
            i++;
        }
        return new QuestionText(text, words);
    }

    /// <summary>Whether the words from <paramref name="index"/> on are <paramref name="phrase"/> (space-separated).</summary>
    public bool At(int index, string phrase)
    {
        var parts = phrase.Split(' ');
        if (index < 0 || index + parts.Length > Words.Count)
        {
            return false;
        }
        for (var k = 0; k < parts.Length; k++)
        {
            if (!string.Equals(Words[index + k].Text, parts[k], StringComparison.Ordinal))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Where <paramref name="phrase"/> starts, or -1.</summary>
    public int Find(string phrase, int from = 0)
    {
        for (var i = from; i < Words.Count; i++)
        {
            if (At(i, phrase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <param name="Text">Lower case (digits only for a number).</param>
    /// <param name="Number">The value of a number, with k/m/thousand/million applied.</param>
    /// <param name="Scaled">Written with a currency sign or a magnitude ("$900", "150k"): an amount, not a count.</param>
    /// <param name="Plus">Written "3+": at least.</param>
    public sealed record Word(string Text, string Original, decimal? Number, bool Scaled, bool Plus);
}
