using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Mcp.Cluster.Models.Schemas;

/// <summary>
/// A model's input or output JSON Schema, compiled once per definition. Validation reads the same parsed document
/// the model gets (System.Text.Json, JsonSchema.Net) and reports the first problem in words a caller can act on
/// ("Required field 'text' is missing") plus the field's path. Schemas without <c>$schema</c> are read as draft 7,
/// the draft closest to what models were registered against (tuple <c>items</c>, <c>definitions</c>).
/// </summary>
public sealed class ModelSchema
{
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    private readonly JsonSchema _schema;
    private readonly JsonNode _document;

    private ModelSchema(JsonSchema schema, JsonNode document, string text)
    {
        _schema = schema;
        _document = document;
        Text = text;
    }

    public string Text { get; }

    /// <summary>Parses a schema document; only local <c>$ref</c>s are allowed so registration never fetches URLs.</summary>
    /// <exception cref="SchemaException">The text is not a usable JSON Schema.</exception>
    public static Task<ModelSchema> ParseAsync(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SchemaException($"is not valid JSON: {e.Message}");
        }
        if (node is not JsonObject root)
        {
            throw new SchemaException("must be a JSON Schema object");
        }
        if (SchemaShape.Check(root) is { } malformed)
        {
            throw new SchemaException($"is not a valid JSON Schema: {malformed}");
        }
        if (FindRemoteReference(root) is { } remote)
        {
            throw new SchemaException($"may only use local references (\"#/…\"); found \"$ref\": \"{remote}\"");
        }
        try
        {
            // Each schema gets a registry of its own, so nothing registered outlives the model or meets another's ids.
            var build = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = root.ContainsKey("$schema") ? Dialect.Default : Dialect.Draft07 };
            using var document = JsonDocument.Parse(text);
            var schema = JsonSchema.Build(document.RootElement.Clone(), build, new Uri($"urn:mcp-model-schema:{Guid.NewGuid():N}"));
            return Task.FromResult(new ModelSchema(schema, root, text));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SchemaException($"is not a usable JSON Schema: {e.Message}");
        }
    }

    /// <summary>Validates JSON text (for callers that hold text, not a parsed document).</summary>
    public SchemaViolation? Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Validate(document.RootElement);
    }

    /// <summary>Null when <paramref name="instance"/> satisfies the schema, else the first problem.</summary>
    public SchemaViolation? Validate(JsonElement instance)
    {
        var results = _schema.Evaluate(instance, Evaluation);
        if (results.IsValid)
        {
            return null;
        }
        var problems = new List<(int Depth, int Order, SchemaViolation Violation)>();
        foreach (var unit in (results.Details ?? []).Prepend(results))
        {
            if (unit.Errors is not { Count: > 0 } errors)
            {
                continue;
            }
            var at = Segments(unit.InstanceLocation.ToString());
            var location = Segments(unit.SchemaLocation.Fragment.TrimStart('#'));
            var evaluatedBy = Segments(unit.EvaluationPath.ToString()).LastOrDefault();
            foreach (var keyword in errors.Keys)
            {
                if (Describe(keyword, evaluatedBy, SchemaOf(location, keyword), instance, at) is { } problem)
                {
                    problems.Add(problem);
                }
            }
        }
        // The shallowest problem first (a wrong type for the whole input explains everything below it), then missing fields.
        return problems.Count == 0
            ? new SchemaViolation("The input does not match the schema", null)
            : problems.OrderBy(p => p.Depth).ThenBy(p => p.Order).First().Violation;
    }

    private static (int Depth, int Order, SchemaViolation Violation)? Describe(
        string keyword, string? evaluatedBy, JsonObject? schema, JsonElement instance, IReadOnlyList<string> at)
    {
        var path = FieldPath(instance, at);
        var field = path.Length == 0 ? "The input" : $"Field '{path}'";
        string Value(string name) => schema?[name] is JsonValue v ? Render(v) : "?";
        switch (keyword)
        {
            case "required":
            {
                var target = Resolve(instance, at);
                var missing = (schema?["required"] as JsonArray ?? [])
                    .Select(n => n is JsonValue v && v.TryGetValue<string>(out var name) ? name : null)
                    .FirstOrDefault(name => name is not null && !(target is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(name, out _)));
                if (missing is null)
                {
                    return null;
                }
                var missingPath = path.Length == 0 ? missing : $"{path}.{missing}";
                return (at.Count + 1, 0, new SchemaViolation($"Required field '{missingPath}' is missing", missingPath));
            }
            case "" when evaluatedBy is "additionalProperties" or "unevaluatedProperties":
                return (at.Count, 1, new SchemaViolation($"Field '{path}' is not allowed", path.Length == 0 ? null : path));
            case "type":
                var detail = schema?["type"] is JsonValue type && type.TryGetValue<string>(out var expected)
                    ? expected switch
                    {
                        "string" => $"{field} must be a string",
                        "number" => $"{field} must be a number",
                        "integer" => $"{field} must be an integer",
                        "boolean" => $"{field} must be true or false",
                        "object" => $"{field} must be an object",
                        "array" => $"{field} must be an array",
                        "null" => $"{field} must be null",
                        _ => $"{field} has the wrong type",
                    }
                    : $"{field} has the wrong type";
                return Found(detail);
            case "enum":
                return Found($"{field} must be one of: {string.Join(", ", (schema?["enum"] as JsonArray ?? []).Select(v => v is JsonValue value ? Render(value) : v?.ToJsonString() ?? "null"))}");
            case "const":
                return Found($"{field} must be {schema?["const"]?.ToJsonString() ?? "null"}");
            case "minLength":
                return Found($"{field} is shorter than {Value("minLength")} characters");
            case "maxLength":
                return Found($"{field} is longer than {Value("maxLength")} characters");
            case "minimum":
                return Found($"{field} must be at least {Value("minimum")}");
            case "exclusiveMinimum":
                return Found($"{field} must be more than {Value("exclusiveMinimum")}");
            case "maximum":
                return Found($"{field} must be at most {Value("maximum")}");
            case "exclusiveMaximum":
                return Found($"{field} must be less than {Value("exclusiveMaximum")}");
            case "minItems":
                return Found($"{field} must have at least {Value("minItems")} items");
            case "maxItems":
                return Found($"{field} must have at most {Value("maxItems")} items");
            case "uniqueItems":
                return Found($"{field} must not repeat items");
            case "pattern":
                return Found($"{field} does not match the pattern {Value("pattern")}");
            case "multipleOf":
                return Found($"{field} must be a multiple of {Value("multipleOf")}");
            case "format":
                return Found($"{field} is not a valid {Value("format")}");
            case "minProperties":
                return Found($"{field} must have at least {Value("minProperties")} fields");
            case "maxProperties":
                return Found($"{field} must have at most {Value("maxProperties")} fields");
            case "oneOf" or "anyOf" or "not" or "contains" or "dependentRequired" or "dependencies":
                // Wrappers: the problems of their branches, listed as well, say more; this one is kept as a last resort.
                return (at.Count, 3, new SchemaViolation($"{field} is invalid ({keyword})", path.Length == 0 ? null : path));
            default:
                return null;
        }

        (int, int, SchemaViolation) Found(string detail) => (at.Count, 2, new SchemaViolation(detail, path.Length == 0 ? null : path));
    }

    private static string Render(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.Number => value.GetValue<JsonElement>().GetRawText() is var raw
            && decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? number.ToString(CultureInfo.InvariantCulture) : value.ToJsonString(),
        _ => value.ToJsonString(),
    };

    /// <summary>"/tags/1" → "tags[1]", "/nested/flag" → "nested.flag".</summary>
    private static string FieldPath(JsonElement instance, IReadOnlyList<string> segments)
    {
        var path = new System.Text.StringBuilder();
        JsonElement? current = instance;
        foreach (var segment in segments)
        {
            if (current is { ValueKind: JsonValueKind.Array } array && int.TryParse(segment, out var index))
            {
                path.Append('[').Append(segment).Append(']');
                current = index < array.GetArrayLength() ? array[index] : null;
            }
            else
            {
                path.Append(path.Length == 0 ? "" : ".").Append(segment);
                current = current is { ValueKind: JsonValueKind.Object } obj && obj.TryGetProperty(segment, out var child) ? child : null;
            }
        }
        return path.ToString();
    }

    private static JsonElement? Resolve(JsonElement instance, IReadOnlyList<string> segments)
    {
        JsonElement? current = instance;
        foreach (var segment in segments)
        {
            current = current switch
            {
                { ValueKind: JsonValueKind.Array } array when int.TryParse(segment, out var i) && i < array.GetArrayLength() => array[i],
                { ValueKind: JsonValueKind.Object } obj when obj.TryGetProperty(segment, out var child) => child,
                _ => null,
            };
        }
        return current;
    }

    /// <summary>
    /// The subschema holding <paramref name="keyword"/> at a result's schema location. The library reports some
    /// locations with a segment too many (an array's item schema as <c>…/items/tags</c>), so the location is
    /// shortened until a schema that has the keyword is found.
    /// </summary>
    private JsonObject? SchemaOf(string[] location, string keyword)
    {
        for (var length = location.Length; length >= 0; length--)
        {
            if (Locate(_document, location[..length]) is JsonObject schema && (keyword.Length == 0 || schema.ContainsKey(keyword)))
            {
                return schema;
            }
        }
        return null;
    }

    private static JsonNode? Locate(JsonNode? node, IReadOnlyList<string> segments)
    {
        foreach (var segment in segments)
        {
            node = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array when int.TryParse(segment, out var i) && i < array.Count => array[i],
                _ => null,
            };
        }
        return node;
    }

    /// <summary>A JSON pointer's unescaped segments; "" is none.</summary>
    private static string[] Segments(string pointer) =>
        pointer.Length == 0 ? [] : pointer.TrimStart('/').Split('/').Select(s => Uri.UnescapeDataString(s).Replace("~1", "/").Replace("~0", "~")).ToArray();

    private static string? FindRemoteReference(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var target) && !target.StartsWith('#'))
                    {
                        return target;
                    }
                    if (FindRemoteReference(value) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonArray array:
                return array.Select(FindRemoteReference).FirstOrDefault(found => found is not null);
            default:
                return null;
        }
    }
}
