using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.Models;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Gateway.DataSources;

/// <summary>
/// What a chat model is told to translate a question: the structured query's grammar, the governed schemas of the
/// sources the caller may read (nothing else: the model never sees a hidden table, field or value) and the taught
/// examples as worked answers; and how its answer is read back (the first JSON object in it, fenced or not).
/// </summary>
public static class ChatQueryPrompt
{
    public const int MaxAnswerTokens = 600;

    private const string Grammar = """
        You translate a question about data into ONE structured query, answered as a single JSON object and nothing else.
        The query's shape:
        {"source": "<source>", "table": "<table>", "fields": ["<field>", ...], "filters": [{"field": "<field>", "op": "<op>", "value": <value>}],
         "order_by": ["<field>" or "-<field>" for descending], "limit": <1..1000>,
         "aggregates": [{"fn": "count" | "sum" | "avg" | "min" | "max", "field": "<field, omitted for a count of rows>"}], "group_by": ["<field>"]}
        Only "source" and "table" are required. op is one of eq, ne, lt, lte, gt, gte, in, not_in (value an array), contains, starts_with
        (text, case-insensitive), is_null (value true or false). A member of an object field is named by path, e.g. "address.city".
        On a date or datetime field, "eq" with "today", "yesterday", "this_week", "this_month", "this_year" or "last_<n><d|w|m|y>"
        (e.g. "last_30d", "last_6m") means that period up to now. With aggregates the answer has the group_by fields and one column per
        aggregate (named "count", or "<fn>_<field with dots as _>"), and order_by may name those columns.
        Use only the sources, tables and fields listed below; text values must be written exactly as listed when values are listed.
        Masked fields may be shown but never filtered, grouped or ordered on.
        If the question cannot be answered from them, answer {"error": "<why>"}.
        """;

    public static IReadOnlyList<CompletionMessage> Build(string question, IReadOnlyList<AskSchema> schemas)
    {
        var system = new StringBuilder(Grammar).Append("\nSources:\n");
        foreach (var schema in schemas)
        {
            system.Append("- source \"").Append(schema.Source).Append("\"\n");
            foreach (var table in schema.Tables)
            {
                system.Append("  - table \"").Append(table.Name).Append("\": ");
                system.AppendJoin("; ", table.Fields.Select(Describe));
                system.Append('\n');
            }
        }
        var examples = schemas.SelectMany(s => s.Examples.Select(e => (s.Source, e))).Take(20).ToArray();
        if (examples.Length > 0)
        {
            system.Append("\nWorked examples (question → query):\n");
            foreach (var (source, example) in examples)
            {
                var query = StructuredQueryJson.ToElement(example.Query);
                system.Append("Q: ").Append(example.Question).Append("\nA: {\"source\": ").Append(JsonSerializer.Serialize(source)).Append(", ")
                    .Append(query.GetRawText()[1..]).Append('\n');
            }
        }
        return [new CompletionMessage("system", system.ToString()), new CompletionMessage("user", question)];
    }

    private static string Describe(AskField field)
    {
        var text = new StringBuilder(field.Path).Append(" (").Append(ModelNames.Of(field.Type));
        if (field.Masked)
        {
            text.Append(", masked");
        }
        text.Append(')');
        if (field.Values is { Count: > 0 } values)
        {
            text.Append(" values: ").AppendJoin(", ", values.Take(30).Select(v => JsonSerializer.Serialize(v)));
        }
        return text.ToString();
    }

    /// <summary>The first complete JSON object in a model's answer (models often fence it or add a sentence), or null.</summary>
    public static JsonElement? ReadAnswer(string text)
    {
        for (var start = text.IndexOf('{'); start >= 0; start = text.IndexOf('{', start + 1))
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text[start..]), new JsonReaderOptions { AllowTrailingCommas = false });
            try
            {
                if (JsonDocument.TryParseValue(ref reader, out var document))
                {
                    using (document)
                    {
                        if (document.RootElement.ValueKind == JsonValueKind.Object)
                        {
                            return document.RootElement.Clone();
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON from here on; try the next brace.
            }
        }
        return null;
    }
}
