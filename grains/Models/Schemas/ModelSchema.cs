using System.Text.Json;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Mcp.Cluster.Models.Schemas;

/// <summary>
/// A model's input or output JSON Schema, compiled once per activation. Validation reports the first problem in
/// words a caller can act on ("Required field 'text' is missing") plus the field's path.
/// </summary>
public sealed class ModelSchema
{
    private readonly JsonSchema _schema;

    private ModelSchema(JsonSchema schema, string text)
    {
        _schema = schema;
        Text = text;
    }

    public string Text { get; }

    /// <summary>Parses a schema document; only local <c>$ref</c>s are allowed so registration never fetches URLs.</summary>
    /// <exception cref="SchemaException">The text is not a usable JSON Schema.</exception>
    public static async Task<ModelSchema> ParseAsync(string text)
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
            return new ModelSchema(await JsonSchema.FromJsonAsync(text), text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new SchemaException($"is not a usable JSON Schema: {e.Message}");
        }
    }

    /// <summary>Null when <paramref name="json"/> satisfies the schema, else the first problem.</summary>
    public SchemaViolation? Validate(string json)
    {
        ICollection<ValidationError> errors;
        try
        {
            errors = _schema.Validate(json);
        }
        catch (Newtonsoft.Json.JsonReaderException e)
        {
            // The validator re-reads the text with Json.NET, which refuses what System.Text.Json accepted, such as an
            // integer of hundreds of digits: the document's problem, not the validator's.
            return new SchemaViolation($"The document cannot be read for validation: {e.Message.Split(" Path ", 2)[0]}", e.Path is { Length: > 0 } path ? path : null);
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException)
        {
            // Json.NET reads an integer beyond 64 bits as a BigInteger, which the validator cannot compare or convert.
            return new SchemaViolation("A number in the document is beyond the 64-bit range the schema validator reads.", null);
        }
        return errors.Count == 0 ? null : Describe(First(errors));
    }

    private static ValidationError First(ICollection<ValidationError> errors)
    {
        // The shallowest problem first (a wrong type for the whole input explains everything below it), then missing fields.
        var error = errors
            .OrderBy(e => FieldPath(e.Path).Count(c => c is '.' or '[') + (FieldPath(e.Path).Length == 0 ? 0 : 1))
            .ThenBy(e => e.Kind == ValidationErrorKind.PropertyRequired ? 0 : 1)
            .First();
        // anyOf/oneOf/array items wrap the real problem; report the innermost one.
        while (error is ChildSchemaValidationError child && child.Errors.SelectMany(e => e.Value).FirstOrDefault() is { } inner)
        {
            error = inner;
        }
        return error;
    }

    private static SchemaViolation Describe(ValidationError error)
    {
        var path = FieldPath(error.Path);
        var field = path.Length == 0 ? "The input" : $"Field '{path}'";
        var detail = error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => $"Required field '{path}' is missing",
            ValidationErrorKind.NoAdditionalPropertiesAllowed => $"Field '{path}' is not allowed",
            ValidationErrorKind.StringExpected => $"{field} must be a string",
            ValidationErrorKind.NumberExpected => $"{field} must be a number",
            ValidationErrorKind.IntegerExpected => $"{field} must be an integer",
            ValidationErrorKind.BooleanExpected => $"{field} must be true or false",
            ValidationErrorKind.ObjectExpected => $"{field} must be an object",
            ValidationErrorKind.ArrayExpected => $"{field} must be an array",
            ValidationErrorKind.NullExpected => $"{field} must be null",
            ValidationErrorKind.NotInEnumeration => $"{field} must be one of: {string.Join(", ", error.Schema.Enumeration.Select(v => v?.ToString()))}",
            ValidationErrorKind.StringTooShort => $"{field} is shorter than {error.Schema.MinLength} characters",
            ValidationErrorKind.StringTooLong => $"{field} is longer than {error.Schema.MaxLength} characters",
            ValidationErrorKind.NumberTooSmall => $"{field} must be at least {error.Schema.Minimum ?? error.Schema.ExclusiveMinimum}",
            ValidationErrorKind.NumberTooBig or ValidationErrorKind.IntegerTooBig => $"{field} must be at most {error.Schema.Maximum ?? error.Schema.ExclusiveMaximum}",
            ValidationErrorKind.TooFewItems => $"{field} must have at least {error.Schema.MinItems} items",
            ValidationErrorKind.TooManyItems => $"{field} must have at most {error.Schema.MaxItems} items",
            ValidationErrorKind.PatternMismatch => $"{field} does not match the pattern {error.Schema.Pattern}",
            ValidationErrorKind.NoTypeValidates => $"{field} has the wrong type",
            _ => $"{field} is invalid ({error.Kind})",
        };
        return new SchemaViolation(detail, path.Length == 0 ? null : path);
    }

    /// <summary>"#/messages[0].role" → "messages[0].role".</summary>
    private static string FieldPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "";
        }
        var trimmed = path.TrimStart('#').TrimStart('/');
        return trimmed.Replace('/', '.');
    }

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
