namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// Example-based translation: a question is compared with the questions admins taught, values aside ("open roles at
/// Globex" and "open roles at Hooli" are the same question about different values), and the closest example's query
/// is reused with the new question's values put where the example's were. What the example fixed without saying it
/// in words (a status, an order) stays as it was.
/// </summary>
public static class ExampleAdapter
{
    public sealed record Adapted(DataQuery Query, double Similarity, DataQuestionExample Example);

    public static Adapted? Best(QuestionText question, AskSchema schema, IReadOnlyList<DataQuestionExample> examples)
    {
        Adapted? best = null;
        // The question is read once per table, however many examples that table has.
        var readings = new Dictionary<string, TableReading>(StringComparer.Ordinal);
        foreach (var example in examples)
        {
            if (schema.Tables.FirstOrDefault(t => t.Name == example.Query.Table) is not { } table)
            {
                continue;
            }
            var taught = QuestionText.Parse(example.Question);
            var taughtReading = TableReading.Read(taught, table, schema.Tables);
            if (!readings.TryGetValue(table.Name, out var reading))
            {
                readings[table.Name] = reading = TableReading.Read(question, table, schema.Tables);
            }
            var similarity = Similarity(Template(taught, taughtReading), Template(question, reading));
            if (similarity <= (best?.Similarity ?? 0))
            {
                continue;
            }
            best = new Adapted(Adapt(example.Query, taughtReading, reading), similarity, example);
        }
        return best;
    }

    /// <summary>The question's meaningful words with its values, numbers and periods left out, as stems.</summary>
    private static HashSet<string> Template(QuestionText text, TableReading reading)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < text.Count; i++)
        {
            var word = text.Words[i];
            if (reading.IsSlot(i) || word.Number is not null || AskVocabulary.Filler.Contains(word.Text) && !IsMeaningfulFiller(word.Text))
            {
                continue;
            }
            words.Add(AskVocabulary.Stem(word.Text));
        }
        return words;
    }

    /// <summary>Filler words that still change what is asked ("how many", "over", "not").</summary>
    private static bool IsMeaningfulFiller(string word) =>
        word is "many" or "number" or "count" or "more" or "less" or "over" or "under" or "above" or "below" or "most" or "least"
            or "before" or "after" or "since" or "between" or "per" or "each" or "by";

    private static double Similarity(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }
        var shared = a.Count(b.Contains);
        return (double)shared / (a.Count + b.Count - shared);
    }

    private static DataQuery Adapt(DataQuery taught, TableReading taughtReading, TableReading reading)
    {
        // The example's filters that its question said in words are slots: the new question's filters on those fields replace them.
        var slotFields = taughtReading.Filters.Select(f => f.Field).ToHashSet(StringComparer.Ordinal);
        var filters = taught.Filters.Where(f => !slotFields.Contains(f.Field)).ToList();
        filters.AddRange(reading.Filters.Where(f => slotFields.Contains(f.Field) || !taught.Filters.Any(t => t.Field == f.Field)));
        return taught with { Filters = filters };
    }
}
