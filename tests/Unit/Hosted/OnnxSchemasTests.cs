using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Schemas;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class OnnxSchemasTests
{
    private static Task<ModelSchema> Input(ModelSignature signature, bool text = false) => ModelSchema.ParseAsync(OnnxSchemas.InputSchemaFor(signature, text));

    [Fact]
    public async Task A_text_model_takes_text()
    {
        var schema = await Input(OnnxInputMapperTests.Text, text: true);

        Assert.Null(schema.Validate("""{"text": "hello world"}"""));
        Assert.Equal("Required field 'text' is missing", schema.Validate("{}")!.Detail);
        Assert.Equal("Field 'text' is shorter than 1 characters", schema.Validate("""{"text": ""}""")!.Detail);
    }

    [Fact]
    public async Task A_single_fixed_input_takes_exactly_its_count_of_features()
    {
        var schema = await Input(OnnxInputMapperTests.Tabular);
        const string accepted = """{"features": [1, 2, 3, 4.5]}""";

        Assert.Null(schema.Validate(accepted));
        new OnnxInputMapper(OnnxInputMapperTests.Tabular).Map(JsonNode.Parse(accepted), null);
        Assert.Equal("Field 'features' must have at least 4 items", schema.Validate("""{"features": [1, 2, 3]}""")!.Detail);
        Assert.Equal("Field 'features' must have at most 4 items", schema.Validate("""{"features": [1, 2, 3, 4, 5]}""")!.Detail);
        Assert.Equal("Field 'features[1]' must be a number", schema.Validate("""{"features": [1, "2", 3, 4]}""")!.Detail);
        Assert.Equal("Required field 'features' is missing", schema.Validate("{}")!.Detail);
        // The mapper takes the input by name too; the derived schema documents the one form.
        Assert.Equal("Required field 'features' is missing", schema.Validate("""{"x": [1, 2, 3, 4]}""")!.Detail);
    }

    [Fact]
    public async Task An_integer_or_boolean_single_input_asks_for_integers_or_booleans()
    {
        var ints = await Input(new ModelSignature([new TensorSpec("ids", TensorElementType.Int32, [-1, 2])], []));
        var flags = await Input(new ModelSignature([new TensorSpec("on", TensorElementType.Bool, [-1, 2])], []));

        Assert.Null(ints.Validate("""{"features": [1, 2]}"""));
        Assert.Equal("Field 'features[1]' must be an integer", ints.Validate("""{"features": [1, 2.5]}""")!.Detail);
        Assert.Null(flags.Validate("""{"features": [true, 0]}"""));
        Assert.NotNull(flags.Validate("""{"features": [true, 2]}"""));
    }

    [Fact]
    public async Task A_single_dynamic_input_takes_any_non_empty_list_of_features()
    {
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, -1])], []);
        var schema = await Input(signature);

        Assert.Null(schema.Validate("""{"features": [1, 2, 3, 4, 5, 6, 7]}"""));
        Assert.NotNull(schema.Validate("""{"features": []}"""));
    }

    [Fact]
    public async Task Several_inputs_are_nested_arrays_by_name()
    {
        var schema = await Input(OnnxInputMapperTests.MultiInput);
        const string accepted = """{"a": [[1, 2, 3], [4, 5, 6]], "b": 7, "flag": [true, 0], "n": [[1, 2], [3, 4]]}""";

        Assert.Null(schema.Validate(accepted));
        new OnnxInputMapper(OnnxInputMapperTests.MultiInput).Map(JsonNode.Parse(accepted), null);
        Assert.Equal("Field 'a[1]' must have at most 3 items", schema.Validate("""{"a": [[1, 2, 3], [4, 5, 6, 7]], "b": 7, "flag": [true, 0], "n": [[1]]}""")!.Detail);
        Assert.Equal("Field 'b' must be an integer", schema.Validate("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 7.5, "flag": [true, 0], "n": [[1]]}""")!.Detail);
        Assert.Equal("Required field 'flag' is missing", schema.Validate("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 7, "n": [[1]]}""")!.Detail);
        Assert.Equal("Field 'c' is not allowed", schema.Validate("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 7, "flag": [true, 0], "n": [[1]], "c": 1}""")!.Detail);
    }

    [Fact]
    public async Task The_output_schema_describes_what_the_output_mapper_writes()
    {
        var signature = new ModelSignature([OnnxInputMapperTests.Tabular.Inputs[0]],
            [new TensorSpec("PredictedLabel", TensorElementType.Int64, [-1]), new TensorSpec("Score", TensorElementType.Float, [-1, 2])]);
        var item = new TensorItem([new NamedTensor("PredictedLabel", [], Longs: [1]), new NamedTensor("Score", [2], Floats: [float.NaN, 0.9f])]);

        var labelled = await ModelSchema.ParseAsync(OnnxSchemas.OutputSchemaFor(signature, ["no", "yes"]));
        var unlabelled = await ModelSchema.ParseAsync(OnnxSchemas.OutputSchemaFor(signature, null));

        Assert.Null(labelled.Validate(new OnnxOutputMapper(signature, ["no", "yes"]).ToPrediction(item).ToJsonString()));
        Assert.Null(unlabelled.Validate(new OnnxOutputMapper(signature).ToPrediction(item).ToJsonString()));
        Assert.NotNull(labelled.Validate("""{"label": "maybe"}"""));
    }
}
