using Mcp.Cluster.Models.Schemas;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class ModelSchemaTests
{
    private const string Schema = """
        {
          "type": "object",
          "properties": {
            "text": { "type": "string", "maxLength": 5 },
            "n": { "type": "integer", "minimum": 1, "maximum": 3 },
            "tags": { "type": "array", "items": { "type": "string" }, "maxItems": 2 },
            "nested": { "type": "object", "properties": { "flag": { "type": "boolean" } }, "required": ["flag"] }
          },
          "required": ["text"],
          "additionalProperties": false
        }
        """;

    [Theory]
    [InlineData("""{"text":"ok"}""", null, null)]
    [InlineData("""{}""", "Required field 'text' is missing", "text")]
    [InlineData("""{"text":"too long"}""", "Field 'text' is longer than 5 characters", "text")]
    [InlineData("""{"text":"a","n":1.5}""", "Field 'n' must be an integer", "n")]
    [InlineData("""{"text":"a","n":9}""", "Field 'n' must be at most 3", "n")]
    [InlineData("""{"text":"a","tags":["x",1]}""", "Field 'tags[1]' must be a string", "tags[1]")]
    [InlineData("""{"text":"a","tags":["x","y","z"]}""", "Field 'tags' must have at most 2 items", "tags")]
    [InlineData("""{"text":"a","nested":{}}""", "Required field 'nested.flag' is missing", "nested.flag")]
    [InlineData("""{"text":"a","other":1}""", "Field 'other' is not allowed", "other")]
    [InlineData("""null""", "The input must be an object", null)]
    public async Task Reports_the_first_problem_in_plain_words(string json, string? detail, string? field)
    {
        var schema = await ModelSchema.ParseAsync(Schema);

        var violation = schema.Validate(json);

        Assert.Equal(detail, violation?.Detail);
        Assert.Equal(field, violation?.Field);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"type":"text"}""")]
    [InlineData("""{"type":12}""")]
    [InlineData("""{"properties":{"a":5}}""")]
    [InlineData("""{"required":"a"}""")]
    [InlineData("""{"minLength":-1}""")]
    [InlineData("""{"pattern":"(unclosed"}""")]
    [InlineData("""{"anyOf":[]}""")]
    [InlineData("""{"$ref":"https://example.com/schema.json"}""")]
    [InlineData("""{"properties":{"a":{"$ref":"file:///etc/passwd"}}}""")]
    [InlineData("""{"type":"object",""")]
    public async Task Refuses_schemas_that_would_not_validate_anything(string schema)
    {
        await Assert.ThrowsAsync<SchemaException>(() => ModelSchema.ParseAsync(schema));
    }

    [Fact]
    public async Task Local_references_work()
    {
        var schema = await ModelSchema.ParseAsync("""
            {"definitions":{"pos":{"type":"number","minimum":0}},"type":"object","properties":{"x":{"$ref":"#/definitions/pos"}}}
            """);

        Assert.Null(schema.Validate("""{"x":1}"""));
        Assert.Equal("x", schema.Validate("""{"x":-1}""")?.Field);
    }
}
