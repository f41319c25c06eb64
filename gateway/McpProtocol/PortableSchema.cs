using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Rewrites a JSON Schema our own tools publish into a spelling every MCP client can map: a <c>type</c> array
/// (<c>["string", "null"]</c>), legal JSON Schema but refused or flattened by clients that map tool schemas onto a
/// single-<c>type</c> dialect (Gemini's OpenAPI subset; the Inspector's strict mode warns about it), becomes
/// <c>anyOf</c> branches of one <c>type</c> each. The schema accepts exactly the same values: every other keyword stays
/// beside the <c>anyOf</c>, where it applies to the instances of its own type as it did before. Upstream servers'
/// schemas are never rewritten (they are theirs, and passed on as they are).
/// </summary>
public static class PortableSchema
{
    // Deeper schemas are left as they are below this depth, as clients stop reading them there too.
    private const int MaxDepth = 64;

    private static readonly string[] SchemaKeywords =
        ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "unevaluatedProperties", "unevaluatedItems",
         "additionalItems", "contentSchema"];

    private static readonly string[] SchemaListKeywords = ["allOf", "anyOf", "oneOf", "prefixItems", "items"];

    private static readonly string[] SchemaMapKeywords = ["properties", "patternProperties", "dependentSchemas", "dependencies", "$defs", "definitions"];

    private static readonly HashSet<string> Types = new(StringComparer.Ordinal) { "null", "boolean", "object", "array", "number", "string", "integer" };

    /// <summary>The schema with every <c>type</c> array spelled as <c>anyOf</c>; the same element when it has none.</summary>
    public static JsonElement Rewrite(JsonElement schema)
    {
        if (!HasTypeArray(schema, 0))
        {
            return schema;
        }
        var node = JsonNode.Parse(schema.GetRawText())!;
        Visit(node, 0);
        return JsonSerializer.SerializeToElement(node);
    }

    private static bool HasTypeArray(JsonElement schema, int depth)
    {
        if (depth > MaxDepth || schema.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        foreach (var property in schema.EnumerateObject())
        {
            var found = property.Name switch
            {
                "type" => property.Value.ValueKind == JsonValueKind.Array && property.Value.GetArrayLength() > 0
                    && property.Value.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String && Types.Contains(t.GetString()!)),
                _ when SchemaMapKeywords.Contains(property.Name) => property.Value.ValueKind == JsonValueKind.Object
                    && property.Value.EnumerateObject().Any(p => HasTypeArray(p.Value, depth + 1)),
                _ when SchemaListKeywords.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.Array =>
                    property.Value.EnumerateArray().Any(s => HasTypeArray(s, depth + 1)),
                _ when SchemaKeywords.Contains(property.Name) => HasTypeArray(property.Value, depth + 1),
                _ => false,
            };
            if (found)
            {
                return true;
            }
        }
        return false;
    }

    private static void Visit(JsonNode? node, int depth)
    {
        if (depth > MaxDepth || node is not JsonObject schema)
        {
            return;
        }
        // An empty list accepts nothing, and is left so; so are lists naming something that is not a type.
        if (schema["type"] is JsonArray { Count: > 0 } union && union.All(t => t is JsonValue v && v.TryGetValue<string>(out var name) && Types.Contains(name)))
        {
            var types = union.Select(t => t!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToArray();
            schema.Remove("type");
            if (types.Length == 1)
            {
                schema["type"] = types[0];
            }
            else
            {
                var branches = new JsonArray([.. types.Select(t => (JsonNode)new JsonObject { ["type"] = t })]);
                // A schema that has an anyOf of its own keeps it: both must hold, so the type branches join an allOf.
                if (!schema.ContainsKey("anyOf"))
                {
                    schema["anyOf"] = branches;
                }
                else if (schema["allOf"] is JsonArray all)
                {
                    all.Add(new JsonObject { ["anyOf"] = branches });
                }
                else if (!schema.ContainsKey("allOf"))
                {
                    schema["allOf"] = new JsonArray(new JsonObject { ["anyOf"] = branches });
                }
                else
                {
                    // An allOf that is not a list is not a schema we can extend; leave the type as it was.
                    schema["type"] = new JsonArray([.. types.Select(t => (JsonNode)JsonValue.Create(t))]);
                }
            }
        }
        foreach (var (name, value) in schema.ToArray())
        {
            if (SchemaMapKeywords.Contains(name) && value is JsonObject map)
            {
                foreach (var (_, sub) in map.ToArray())
                {
                    Visit(sub, depth + 1);
                }
            }
            else if (SchemaListKeywords.Contains(name) && value is JsonArray list)
            {
                foreach (var sub in list.ToArray())
                {
                    Visit(sub, depth + 1);
                }
            }
            else if (SchemaKeywords.Contains(name))
            {
                Visit(value, depth + 1);
            }
        }
    }
}
