using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>What happened to one question: right or not, why, and the query the translator produced.</summary>
public sealed record AskQuestionResult(AskQuestion Question, bool Correct, string Reason, string? Produced, bool GoldFailed = false);

/// <summary>The score of a run and every question's outcome, as a table for people and as JSON for tools.</summary>
public sealed record AskAccuracyReport(IReadOnlyList<AskQuestionResult> Results, double MinScore)
{
    public int Correct => Results.Count(r => r.Correct);

    public int Total => Results.Count;

    public double Score => Total == 0 ? 0 : (double)Correct / Total;

    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"ask accuracy: {Correct}/{Total} ({Score:P1}); floor (min_score) {MinScore:0.###}");
        var goldFailed = Results.Count(r => r.GoldFailed);
        if (goldFailed > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{goldFailed} gold queries could not be checked (counted as wrong)");
        }
        foreach (var tag in Results.SelectMany(r => r.Question.Tags).Distinct().Order(StringComparer.Ordinal))
        {
            var tagged = Results.Where(r => r.Question.Tags.Contains(tag)).ToArray();
            text.AppendLine(CultureInfo.InvariantCulture, $"  {tag,-15} {tagged.Count(r => r.Correct),3}/{tagged.Length,-3}");
        }
        text.AppendLine();
        text.AppendLine("id   ok  question | what happened | what the translator produced");
        foreach (var result in Results)
        {
            text.Append(CultureInfo.InvariantCulture, $"{result.Question.Id,-4} {(result.Correct ? "yes" : "NO "),-3} {result.Question.Question} | {result.Reason}");
            text.AppendLine(result.Produced is null ? "" : $" | {result.Produced}");
        }
        return text.ToString();
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("correct", Correct);
            json.WriteNumber("total", Total);
            json.WriteNumber("score", Math.Round(Score, 4));
            json.WriteNumber("min_score", MinScore);
            json.WriteStartArray("failed");
            foreach (var result in Results.Where(r => !r.Correct))
            {
                json.WriteStartObject();
                json.WriteString("id", result.Question.Id);
                json.WriteString("question", result.Question.Question);
                json.WriteString("reason", result.Reason);
                json.WriteString("produced", result.Produced);
                json.WriteBoolean("gold_failed", result.GoldFailed);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
