namespace Mcp.Cluster.DataSources.Ask;

/// <summary>
/// The translator that needs no model server: the closest taught example when it is close enough, else the pattern
/// rules of <see cref="TableReading"/> on the table that explains the question best. Pure and deterministic.
/// </summary>
public static class BuiltInTranslator
{
    /// <summary>Below this share of explained words a question is not answered rather than guessed at.</summary>
    public const double UnderstoodAt = 0.6;

    /// <summary>How alike (values aside) a question must be to a taught example for the example to be used.</summary>
    public const double ExampleAt = 0.6;

    public static DataTranslation Translate(string question, AskSchema schema)
    {
        var text = QuestionText.Parse(question);
        if (schema.Tables.Count == 0)
        {
            return NotUnderstood(schema, $"There is no table of '{schema.Source}' you may read.");
        }
        var readings = schema.Tables.Select(t => TableReading.Read(text, t, schema.Tables)).OrderByDescending(r => r.Score).ToArray();
        var best = readings[0];
        var example = ExampleAdapter.Best(text, schema, schema.Examples);
        if (example is not null && example.Similarity >= ExampleAt && example.Similarity >= best.Confidence - 0.1)
        {
            var query = example.Query;
            return new DataTranslation(schema.Source, query, Math.Round(Math.Min(0.99, example.Similarity), 3),
                $"{QueryExplainer.Explain(query)} (Adapted from the example \"{example.Example.Question}\".)", "example", example.Example.Id);
        }
        if (!best.HasEvidence || best.Confidence < UnderstoodAt)
        {
            var unexplained = Enumerable.Range(0, text.Count)
                .Where(i => !best.IsClaimed(i) && text.Words[i].Number is null && !AskVocabulary.Filler.Contains(text[i]))
                .Select(i => text.Words[i].Original).Distinct().Take(8).ToArray();
            return NotUnderstood(schema, unexplained.Length > 0
                ? $"Could not relate {string.Join(", ", unexplained.Select(w => $"'{w}'"))} to the tables of '{schema.Source}' you may read ({string.Join(", ", schema.Tables.Select(t => t.Name))})."
                : $"The question names nothing in the tables of '{schema.Source}' you may read ({string.Join(", ", schema.Tables.Select(t => t.Name))}).",
                best.Confidence);
        }
        var answer = best.Query;
        return new DataTranslation(schema.Source, answer, Math.Round(best.Confidence, 3), QueryExplainer.Explain(answer), "builtin");
    }

    private static DataTranslation NotUnderstood(AskSchema schema, string detail, double confidence = 0) =>
        new(schema.Source, null, Math.Round(confidence, 3), detail, "builtin", Outcome: DataQueryOutcome.Invalid, Detail: detail);
}
