using System.Text;
using System.Text.Json;
using Mcp.Cluster.DataSources;
using Mcp.Cluster.Gateway.DataSources;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Gateway.Usage;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Plain-language questions as MCP: the tool <c>data.ask</c> (the same answer as <c>POST /api/data/ask</c>: the query a
/// question became, its rows and an explanation) and the prompt <c>data.ask</c>, which asks an agent to answer a
/// question with it and fall back to <c>data.query</c> when the question is not understood.
/// </summary>
public sealed class DataAskTool(DataQuestions questions, DataResources resources, IHttpContextAccessor http)
{
    public const string Name = "data.ask";

    private static readonly JsonElement Input = JsonDocument.Parse("""
        {
          "type": "object",
          "properties": {
            "question": {"type": "string", "minLength": 1, "maxLength": 1000, "description": "The question, e.g. \"how many builders in Texas\""},
            "source": {"type": "string", "description": "A data source (see data.sources); omit to let the question choose"},
            "model": {"type": "string", "description": "A registered chat model to translate with instead of the built-in translator"},
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000}
          },
          "required": ["question"],
          "additionalProperties": false
        }
        """).RootElement;

    private static readonly JsonElement Output = JsonDocument.Parse("""
        {"type": "object", "properties": {"source": {"type": "string"}, "translator": {"type": "string"}, "explanation": {"type": "string"},
         "query": {"type": "object"}, "columns": {"type": "array"}, "rows": {"type": "array"}, "row_count": {"type": "integer"}},
         "required": ["source", "query", "rows", "row_count"]}
        """).RootElement;

    public static bool Owns(string name) => name == Name;

    public static Tool Tool() => new()
    {
        Name = Name, Title = "Ask the data", InputSchema = Input, OutputSchema = Output,
        Description = "Answer a question in plain language from the data this key may read: it becomes a structured query (shown in the answer, "
            + "with an explanation) run under the key's grants, masks, quotas and audit. If the question is not understood, use data.sources and data.query.",
    };

    public static Prompt Prompt() => new()
    {
        Name = Name, Title = "Ask the data",
        Description = "Answer a question from the data sources this key may read, with the data.ask tool.",
        Arguments =
        [
            new PromptArgument { Name = "question", Description = "What to find out", Required = true },
            new PromptArgument { Name = "source", Description = "A data source to ask (optional)", Required = false },
        ],
    };

    public async Task<CallToolResult> CallAsync(ApiKeyPrincipal key, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        DataAskRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<DataAskRequest>(JsonSerializer.Serialize(arguments ?? new Dictionary<string, JsonElement>()), Hosting.GatewayJson.Options);
        }
        catch (JsonException e)
        {
            return Failure($"Invalid arguments: {e.Message}");
        }
        var context = http.HttpContext;
        var validation = await new DataAskValidator().ValidateAsync(request ?? new DataAskRequest(), context!);
        if (validation.Value is not { } ask)
        {
            return Failure(request?.Question is null ? "'question' is required." : "Invalid arguments: check question (1–1000 characters), source and limit (1–1000).");
        }
        var outcome = await questions.AnswerAsync(ask, key, cancellationToken);
        if (outcome.Translation is not { } translation || outcome.Result is not { } result)
        {
            return Failure($"{outcome.Error}: {outcome.Detail}");
        }
        context?.Usage().RecordRead(translation.Source, result, cacheable: true);
        if (result.Outcome != DataQueryOutcome.Ok)
        {
            return Failure($"{result.Outcome}: {result.Detail}");
        }
        var json = new StringBuilder("{\"source\":").Append(JsonSerializer.Serialize(translation.Source))
            .Append(",\"question\":").Append(JsonSerializer.Serialize(ask.Question))
            .Append(",\"translator\":").Append(JsonSerializer.Serialize(translation.Translator))
            .Append(",\"explanation\":").Append(JsonSerializer.Serialize(translation.Explanation))
            .Append(",\"query\":").Append(StructuredQueryJson.ToElement(translation.Query!).GetRawText())
            .Append(",\"columns\":").Append(JsonSerializer.Serialize(result.Columns!.Select(c => new { name = c.Name, type = Models.ModelNames.Of(c.Type) })))
            .Append(",\"rows\":").Append(Encoding.UTF8.GetString(result.RowsJson!))
            .Append(",\"row_count\":").Append(result.RowCount).Append('}');
        var content = JsonDocument.Parse(json.ToString()).RootElement.Clone();
        return new CallToolResult { Content = [new TextContentBlock { Text = content.GetRawText() }], StructuredContent = content };
    }

    public static GetPromptResult Render(IDictionary<string, JsonElement>? arguments)
    {
        string? Argument(string name) => arguments?.TryGetValue(name, out var value) == true && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        var question = Argument("question");
        if (string.IsNullOrWhiteSpace(question))
        {
            throw new McpProtocolException("The data.ask prompt needs a 'question'.", McpErrorCode.InvalidParams);
        }
        var source = Argument("source");
        var call = JsonSerializer.Serialize(source is null ? new Dictionary<string, string> { ["question"] = question } : new() { ["question"] = question, ["source"] = source });
        return new GetPromptResult
        {
            Description = "Answer a question from the data with the data.ask tool.",
            Messages =
            [
                new PromptMessage
                {
                    Role = Role.User,
                    Content = new TextContentBlock
                    {
                        Text = $"Answer this question from the data I may read: {question}\n\n"
                            + $"Call the data.ask tool with {call}. Its answer shows the structured query the question became, with an explanation: "
                            + "check that the query means what I asked before you rely on the rows. If it answers question_not_understood, or the query "
                            + "is not what I meant, look at data.sources and call data.query with a structured query instead. "
                            + "Answer in a sentence or two, then show the rows that matter and the query that produced them.",
                    },
                },
            ],
        };
    }

    /// <summary>Source names the key may read that start with what was typed.</summary>
    public async Task<Completion> CompleteAsync(ApiKeyPrincipal key, string argument, string typed)
    {
        if (argument != "source")
        {
            return new Completion { Values = [] };
        }
        var names = (await resources.ReadableSchemasAsync(key)).Select(s => s.Name)
            .Where(n => n.StartsWith(typed, StringComparison.OrdinalIgnoreCase)).Take(100).ToList();
        return new Completion { Values = names, Total = names.Count, HasMore = false };
    }

    private static CallToolResult Failure(string detail) => new() { IsError = true, Content = [new TextContentBlock { Text = detail }] };
}
