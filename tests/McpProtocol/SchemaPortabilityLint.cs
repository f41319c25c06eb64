using System.Text.Json;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// The portability rules of the MCP Inspector's <c>--strict</c> tool-schema check (2.12.0), in C#, so schemas can be
/// checked without Node: a <c>type</c> array, a schema with no validation keyword (outside <c>not</c>), a bare
/// boolean where a schema object belongs, and a <c>$ref</c> outside the document. Each finding is "path: rule".
/// </summary>
public static class SchemaPortabilityLint
{
    private static readonly string[] SchemaKeywords =
        ["items", "contains", "not", "propertyNames", "if", "then", "else", "additionalProperties", "unevaluatedProperties", "additionalItems",
         "unevaluatedItems", "contentSchema"];

    private static readonly string[] ListKeywords = ["allOf", "anyOf", "oneOf", "prefixItems"];

    private static readonly string[] MapKeywords = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"];

    private static readonly HashSet<string> BooleanValued = ["additionalProperties", "unevaluatedProperties", "additionalItems", "unevaluatedItems"];

    private static readonly HashSet<string> Constraining =
    [
        "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern",
        "format", "contentMediaType", "contentEncoding", "contentSchema", "maxItems", "minItems", "uniqueItems", "maxContains", "minContains",
        "maxProperties", "minProperties", "required", "dependentRequired", "allOf", "anyOf", "oneOf", "not", "items", "prefixItems", "contains",
        "additionalItems", "unevaluatedItems", "properties", "patternProperties", "additionalProperties", "unevaluatedProperties", "propertyNames",
        "dependentSchemas", "dependencies", "$ref", "$dynamicRef", "$recursiveRef",
    ];

    public static IReadOnlyList<string> Check(JsonElement schema)
    {
        var findings = new List<string>();
        Walk(schema, "", null, 0, findings);
        return findings;
    }

    private static void Walk(JsonElement node, string path, string? keyword, int depth, List<string> findings)
    {
        if (depth > 64)
        {
            return;
        }
        if (node.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            if (keyword is null || !BooleanValued.Contains(keyword))
            {
                findings.Add($"{path}: boolean-schema");
            }
            return;
        }
        if (node.ValueKind != JsonValueKind.Object)
        {
            return;
        }
        if (node.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
        {
            findings.Add($"{path}: type-union");
        }
        if (node.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String && reference.GetString() is { Length: > 0 } r && !r.StartsWith('#'))
        {
            findings.Add($"{path}: remote-ref");
        }
        var constrains = node.EnumerateObject().Any(p => Constraining.Contains(p.Name))
            || (node.TryGetProperty("if", out _) && (node.TryGetProperty("then", out _) || node.TryGetProperty("else", out _)));
        if (!constrains && keyword != "not")
        {
            findings.Add($"{path}: untyped-schema");
        }
        foreach (var property in node.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (MapKeywords.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Object)
            {
                foreach (var sub in property.Value.EnumerateObject())
                {
                    Walk(sub.Value, $"{at}.{sub.Name}", property.Name, depth + 1, findings);
                }
            }
            else if ((ListKeywords.Contains(property.Name) || property.Name == "items") && property.Value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var sub in property.Value.EnumerateArray())
                {
                    Walk(sub, $"{at}[{index++}]", property.Name, depth + 1, findings);
                }
            }
            else if (SchemaKeywords.Contains(property.Name))
            {
                Walk(property.Value, at, property.Name, depth + 1, findings);
            }
        }
    }
}
