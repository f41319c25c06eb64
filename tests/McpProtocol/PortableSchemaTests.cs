using System.Text.Json;
using Mcp.Cluster.Gateway.McpProtocol;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Schemas;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// Our own tools' schemas in the spelling every MCP client maps (the Inspector's strict portability rules): type
/// arrays become anyOf branches that accept exactly the same values, and no schema of data.* or of a model's task
/// leaves a value unconstrained.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class PortableSchemaTests
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Fact]
    public void A_type_array_becomes_anyOf_branches_and_the_other_keywords_stay_beside_them()
    {
        var rewritten = PortableSchema.Rewrite(Parse("""
            {"type": "object", "properties": {
              "input": {"type": ["string", "array"], "minLength": 1, "items": {"type": "string"}, "maxItems": 4},
              "usage": {"type": ["object", "null"], "properties": {"total": {"type": ["integer", "null"]}}}},
             "$defs": {"maybe": {"type": ["boolean", "null"]}}, "additionalProperties": {"type": ["number"]}}
            """));

        var input = rewritten.GetProperty("properties").GetProperty("input");
        Assert.False(input.TryGetProperty("type", out _));
        Assert.Equal(["string", "array"], input.GetProperty("anyOf").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(1, input.GetProperty("minLength").GetInt32());
        Assert.Equal(4, input.GetProperty("maxItems").GetInt32());
        var total = rewritten.GetProperty("properties").GetProperty("usage").GetProperty("properties").GetProperty("total");
        Assert.Equal(["integer", "null"], total.GetProperty("anyOf").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        Assert.Equal(["boolean", "null"], rewritten.GetProperty("$defs").GetProperty("maybe").GetProperty("anyOf").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        // A one-type array is that type.
        Assert.Equal("number", rewritten.GetProperty("additionalProperties").GetProperty("type").GetString());
        Assert.Empty(SchemaPortabilityLint.Check(rewritten));
    }

    [Fact]
    public void A_schema_with_its_own_anyOf_keeps_it_and_gets_the_type_branches_in_allOf()
    {
        var rewritten = PortableSchema.Rewrite(Parse("""{"type": ["string", "integer"], "anyOf": [{"minLength": 2}, {"minimum": 10}]}"""));

        Assert.Equal(2, rewritten.GetProperty("anyOf").GetArrayLength());
        Assert.Equal(["string", "integer"], rewritten.GetProperty("allOf")[0].GetProperty("anyOf").EnumerateArray().Select(b => b.GetProperty("type").GetString()));
        Assert.False(rewritten.TryGetProperty("type", out _));
    }

    [Fact]
    public void Values_that_look_like_schemas_are_not_touched_and_a_portable_schema_comes_back_as_it_was()
    {
        const string values = """{"type": "object", "default": {"type": ["a", "b"]}, "enum": [{"type": ["string", "null"]}], "examples": [{"type": ["x"]}]}""";
        Assert.Equal(Parse(values).GetRawText(), PortableSchema.Rewrite(Parse(values)).GetRawText());
        const string portable = """{"type":"object","properties":{"a":{"anyOf":[{"type":"string"},{"type":"null"}]}}}""";
        Assert.Equal(portable, PortableSchema.Rewrite(Parse(portable)).GetRawText());
        // Not a list of types: left for the schema's own validation to judge.
        const string odd = """{"type": ["string", "text"]}""";
        Assert.Equal(Parse(odd).GetRawText(), PortableSchema.Rewrite(Parse(odd)).GetRawText());
    }

    [Theory]
    [InlineData("""{"type": ["string", "null"], "minLength": 2}""", new[] { "\"ab\"", "null", "\"a\"", "3", "{}", "[]" })]
    [InlineData("""{"type": ["string", "array"], "minLength": 1, "items": {"type": "string", "minLength": 1}, "minItems": 1}""",
        new[] { "\"x\"", "\"\"", "[\"a\"]", "[]", "[\"\"]", "[1]", "1", "null" })]
    [InlineData("""{"type": "object", "properties": {"u": {"type": ["object", "null"], "properties": {"n": {"type": "integer"}}}}}""",
        new[] { "{\"u\": null}", "{\"u\": {\"n\": 1}}", "{\"u\": {\"n\": \"1\"}}", "{\"u\": 3}", "{}" })]
    [InlineData("""{"type": ["integer", "string"], "anyOf": [{"minimum": 10}, {"minLength": 3}]}""", new[] { "12", "\"abc\"", "5", "\"ab\"", "null", "1.5" })]
    public async Task The_rewritten_schema_accepts_exactly_what_the_original_accepts(string schema, string[] instances)
    {
        var original = await ModelSchema.ParseAsync(schema);
        var rewritten = await ModelSchema.ParseAsync(PortableSchema.Rewrite(Parse(schema)).GetRawText());
        Assert.All(instances, instance => Assert.Equal(original.Validate(instance) is null, rewritten.Validate(instance) is null));
    }

    [Fact]
    public void Every_task_schema_of_a_model_and_every_data_tool_schema_passes_the_inspectors_strict_check()
    {
        var schemas = new List<(string Name, JsonElement Schema)>();
        foreach (var task in Enum.GetValues<ModelTask>())
        {
            var input = Parse(TaskSchemas.Input(task));
            var output = Parse(TaskSchemas.Output(task));
            schemas.Add(($"{task} input", PortableSchema.Rewrite(input)));
            // ModelTools offers an output schema only when it is an object schema ("{}" is none at all).
            if (output.TryGetProperty("type", out _))
            {
                schemas.Add(($"{task} output", PortableSchema.Rewrite(output)));
            }
        }
        var tools = new DataTools(null!, null!, null!).List().Append(DataAskTool.Tool());
        foreach (var tool in tools)
        {
            schemas.Add(($"{tool.Name} input", tool.InputSchema));
            if (tool.OutputSchema is { } output)
            {
                schemas.Add(($"{tool.Name} output", output));
            }
        }

        var findings = schemas.SelectMany(s => SchemaPortabilityLint.Check(s.Schema).Select(f => $"{s.Name} {f}")).ToArray();
        Assert.True(findings.Length == 0, string.Join('\n', findings));
        // The check itself finds what the Inspector found before.
        Assert.Contains("properties.usage: type-union", SchemaPortabilityLint.Check(Parse(TaskSchemas.Output(ModelTask.Chat))));
        Assert.Contains("properties.v: untyped-schema", SchemaPortabilityLint.Check(Parse("""{"type": "object", "properties": {"v": {}}}""")));
    }
}
