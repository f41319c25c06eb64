using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Prompts;

/// <summary>
/// <c>{{name}}</c> placeholders in prompt messages: checked at registration (every placeholder is a declared argument)
/// and filled in when a prompt is got, with typed, required and enumerated arguments enforced.
/// </summary>
public static partial class PromptTemplate
{
    public static IEnumerable<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Groups[1].Value);

    public static PromptRendering Render(PromptDefinition definition, IReadOnlyDictionary<string, string> arguments)
    {
        foreach (var name in arguments.Keys)
        {
            if (!definition.Arguments.Any(a => a.Name == name))
            {
                return new PromptRendering(null, null, $"Unknown argument '{name}'. Arguments: {string.Join(", ", definition.Arguments.Select(a => a.Name))}.", name);
            }
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var spec in definition.Arguments)
        {
            if (!arguments.TryGetValue(spec.Name, out var value) || value.Length == 0)
            {
                if (spec.Default is { } fallback)
                {
                    value = fallback;
                }
                else if (spec.Required)
                {
                    return new PromptRendering(null, null, $"Argument '{spec.Name}' is required.", spec.Name);
                }
                else
                {
                    value = "";
                }
            }
            if (value.Length > 0 && Check(spec, value) is { } problem)
            {
                return new PromptRendering(null, null, problem, spec.Name);
            }
            values[spec.Name] = value;
        }
        var messages = definition.Messages
            .Select(m => m with { Text = Placeholder().Replace(m.Text, match => values.GetValueOrDefault(match.Groups[1].Value, "")) })
            .ToArray();
        return new PromptRendering(messages, definition.Description);
    }

    private static string? Check(PromptArgumentSpec spec, string value)
    {
        if (spec.Values is { Count: > 0 } allowed && !allowed.Contains(value, StringComparer.Ordinal))
        {
            return $"Argument '{spec.Name}' must be one of: {string.Join(", ", allowed)}.";
        }
        var ok = spec.Type switch
        {
            "integer" => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            "number" => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            "boolean" => value is "true" or "false",
            _ => true,
        };
        return ok ? null : $"Argument '{spec.Name}' must be {(spec.Type == "integer" ? "an integer" : spec.Type == "number" ? "a number" : "true or false")}.";
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")]
    private static partial Regex Placeholder();
}
