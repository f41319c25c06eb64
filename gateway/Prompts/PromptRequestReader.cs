using System.Text.RegularExpressions;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Prompts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Mcp.Cluster.Gateway.Prompts;

/// <summary>Checks a prompt definition: names, types, enumerated values and defaults, and that every placeholder is a declared argument.</summary>
public static partial class PromptRequestReader
{
    public const int MaxArguments = 32;
    public const int MaxMessages = 50;
    public const int MaxValues = 200;
    public const int MaxTextLength = 32 * 1024;
    public const int MaxDescriptionLength = 2000;

    private static readonly string[] Types = ["string", "number", "integer", "boolean"];

    public static bool IsValidName(string? name) => name is not null && Name().IsMatch(name);

    public static (string? Name, PromptDefinition? Definition, JsonHttpResult<ApiError>? Error) Read(PromptRequest request)
    {
        if (!IsValidName(request.Name))
        {
            return Fail("Field 'name' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit.", "name");
        }
        if (request.Description is { Length: > MaxDescriptionLength } || request.Title is { Length: > 200 })
        {
            return Fail($"'title' is at most 200 and 'description' at most {MaxDescriptionLength} characters.", "description");
        }
        if (request.Messages is not { Length: > 0 } messages || messages.Length > MaxMessages)
        {
            return Fail($"Field 'messages' must hold 1 to {MaxMessages} messages.", "messages");
        }
        var arguments = new List<PromptArgumentSpec>();
        foreach (var (argument, i) in (request.Arguments ?? []).Select((a, i) => (a, i)))
        {
            var where = $"arguments[{i}]";
            if (arguments.Count == MaxArguments)
            {
                return Fail($"At most {MaxArguments} arguments.", "arguments");
            }
            if (argument.Name is null || !ArgumentName().IsMatch(argument.Name) || arguments.Any(a => a.Name == argument.Name))
            {
                return Fail($"'{where}.name' must be a distinct identifier (letters, digits, '_').", $"{where}.name");
            }
            var type = argument.Type ?? "string";
            if (!Types.Contains(type))
            {
                return Fail($"'{where}.type' must be one of {string.Join(", ", Types)}.", $"{where}.type");
            }
            if (argument.Values is { } values && (values.Length is 0 or > MaxValues || values.Distinct().Count() != values.Length))
            {
                return Fail($"'{where}.values' must hold 1 to {MaxValues} distinct values.", $"{where}.values");
            }
            if (argument.Description is { Length: > MaxDescriptionLength })
            {
                return Fail($"'{where}.description' is at most {MaxDescriptionLength} characters.", $"{where}.description");
            }
            var spec = new PromptArgumentSpec(argument.Name, argument.Description, argument.Required ?? false, type, argument.Values, argument.Default);
            if (argument.Default is { } fallback && PromptTemplate.Render(new PromptDefinition(null, null, [spec with { Required = true }], []),
                    new Dictionary<string, string> { [spec.Name] = fallback }).Problem is { } problem)
            {
                return Fail($"'{where}.default': {problem}", $"{where}.default");
            }
            arguments.Add(spec);
        }
        var templates = new List<PromptMessageTemplate>();
        var total = 0;
        foreach (var (message, i) in messages.Select((m, i) => (m, i)))
        {
            var where = $"messages[{i}]";
            if (message.Role is not ("user" or "assistant"))
            {
                return Fail($"'{where}.role' must be 'user' or 'assistant'.", $"{where}.role");
            }
            if (string.IsNullOrEmpty(message.Text))
            {
                return Fail($"'{where}.text' is required.", $"{where}.text");
            }
            total += message.Text.Length;
            if (total > MaxTextLength)
            {
                return Fail($"The messages hold at most {MaxTextLength} characters together.", "messages");
            }
            if (PromptTemplate.Placeholders(message.Text).FirstOrDefault(p => !arguments.Any(a => a.Name == p)) is { } undeclared)
            {
                return Fail($"'{where}.text' uses {{{{{undeclared}}}}}, which is not a declared argument.", $"{where}.text");
            }
            templates.Add(new PromptMessageTemplate(message.Role, message.Text));
        }
        return (request.Name, new PromptDefinition(request.Title, request.Description, arguments, templates), null);

        static (string?, PromptDefinition?, JsonHttpResult<ApiError>?) Fail(string detail, string field) => (null, null, ApiErrors.Validation(detail, field));
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex ArgumentName();
}
