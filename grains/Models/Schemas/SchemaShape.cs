using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Mcp.Cluster.Models.Schemas;

/// <summary>
/// Checks that the keywords a schema uses have the types JSON Schema gives them. The validator library accepts
/// nonsense such as <c>{"type": 12}</c> and then validates nothing, so a broken schema would silently let every
/// input through; this catches that at registration instead.
/// </summary>
public static class SchemaShape
{
    private static readonly HashSet<string> Types = ["string", "number", "integer", "boolean", "object", "array", "null"];
    private static readonly string[] SchemaMaps = ["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"];
    private static readonly string[] SchemaLists = ["allOf", "anyOf", "oneOf", "prefixItems"];
    private static readonly string[] SubSchemas = ["not", "if", "then", "else", "contains", "propertyNames", "additionalItems", "unevaluatedItems", "unevaluatedProperties"];
    private static readonly string[] NonNegativeIntegers = ["minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains"];
    private static readonly string[] Numbers = ["minimum", "maximum", "multipleOf"];

    /// <summary>Null when the schema is well formed, else what is wrong and where (a JSON pointer).</summary>
    public static string? Check(JsonNode? node, string path = "#")
    {
        if (node is JsonValue boolean && boolean.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            return null;
        }
        if (node is not JsonObject schema)
        {
            return $"{path} must be a schema object";
        }
        foreach (var (keyword, value) in schema)
        {
            var at = $"{path}/{keyword}";
            var problem = keyword switch
            {
                "type" => CheckType(value, at),
                "required" => value is JsonArray required && required.All(IsString) ? null : $"{at} must be an array of strings",
                "enum" => value is JsonArray ? null : $"{at} must be an array",
                "pattern" => CheckPattern(value, at),
                "items" => value is JsonArray tuple ? CheckEach(tuple, at) : Check(value, at),
                "additionalProperties" => Check(value, at),
                _ when SchemaMaps.Contains(keyword) => value is JsonObject map
                    ? map.Select(p => Check(p.Value, $"{at}/{p.Key}")).FirstOrDefault(p => p is not null)
                    : $"{at} must be an object of schemas",
                _ when SchemaLists.Contains(keyword) => value is JsonArray list && list.Count > 0 ? CheckEach(list, at) : $"{at} must be a non-empty array of schemas",
                _ when SubSchemas.Contains(keyword) => Check(value, at),
                _ when NonNegativeIntegers.Contains(keyword) => value is JsonValue v && v.TryGetValue<long>(out var n) && n >= 0 ? null : $"{at} must be a non-negative integer",
                _ when Numbers.Contains(keyword) => IsNumber(value) ? null : $"{at} must be a number",
                "exclusiveMinimum" or "exclusiveMaximum" => IsNumber(value) || value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? null : $"{at} must be a number",
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }
        return null;
    }

    private static string? CheckType(JsonNode? value, string at) => value switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String && Types.Contains(v.GetValue<string>()) => null,
        JsonArray list when list.Count > 0 && list.All(t => t is JsonValue s && s.GetValueKind() == JsonValueKind.String && Types.Contains(s.GetValue<string>())) => null,
        _ => $"{at} must be one of {string.Join(", ", Types)} (or an array of them)",
    };

    private static string? CheckPattern(JsonNode? value, string at)
    {
        if (!IsString(value))
        {
            return $"{at} must be a string";
        }
        try
        {
            _ = new Regex(value!.GetValue<string>(), RegexOptions.None, TimeSpan.FromMilliseconds(100));
            return null;
        }
        catch (ArgumentException e)
        {
            return $"{at} is not a valid regular expression: {e.Message}";
        }
    }

    private static string? CheckEach(JsonArray list, string at) =>
        list.Select((item, i) => Check(item, $"{at}/{i}")).FirstOrDefault(p => p is not null);

    private static bool IsString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    private static bool IsNumber(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.Number;
}
