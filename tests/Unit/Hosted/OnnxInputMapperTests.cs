using System.Text.Json.Nodes;
using Mcp.Cluster.Models;
using Mcp.Cluster.Models.Hosted;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class OnnxInputMapperTests
{
    internal static readonly ModelSignature Tabular = new([new TensorSpec("x", TensorElementType.Float, [-1, 4])], [new TensorSpec("y", TensorElementType.Float, [-1, 2])]);

    internal static readonly ModelSignature MultiInput = new(
        [
            new TensorSpec("a", TensorElementType.Float, [-1, 2, 3]),
            new TensorSpec("b", TensorElementType.Int64, [-1]),
            new TensorSpec("flag", TensorElementType.Bool, [-1, 2]),
            new TensorSpec("n", TensorElementType.Int32, [-1, -1, -1]),
        ],
        [new TensorSpec("y", TensorElementType.Float, [-1])]);

    internal static readonly ModelSignature Text = new(
        [
            new TensorSpec("input_ids", TensorElementType.Int64, [-1, -1]),
            new TensorSpec("attention_mask", TensorElementType.Int64, [-1, -1]),
            new TensorSpec("token_type_ids", TensorElementType.Int64, [-1, -1]),
        ],
        [new TensorSpec("sentence_embedding", TensorElementType.Float, [-1, 8])]);

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;

    private static PredictionInputException Refused(OnnxInputMapper mapper, string input, int? index = null) =>
        Assert.Throws<PredictionInputException>(() => mapper.Map(Json(input), index));

    [Fact]
    public void Features_fill_the_single_float_input()
    {
        var item = new OnnxInputMapper(Tabular).Map(Json("""{"features": [1, 2.5, -3, 4e2]}"""), null);

        var tensor = Assert.Single(item.Tensors);
        Assert.Equal("x", tensor.Name);
        Assert.Equal(new long[] { 4 }, tensor.Dimensions);
        Assert.Equal(new[] { 1f, 2.5f, -3f, 400f }, tensor.Floats);
        Assert.Null(tensor.Longs);
    }

    [Fact]
    public void A_single_input_is_accepted_by_name_too()
    {
        var item = new OnnxInputMapper(Tabular).Map(Json("""{"x": [1, 2, 3, 4]}"""), null);

        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, Assert.Single(item.Tensors).Floats);
    }

    [Fact]
    public void A_dynamic_dimension_takes_the_count()
    {
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Double, [-1, -1])], []);

        var tensor = Assert.Single(new OnnxInputMapper(signature).Map(Json("""{"features": [1, 2, 3]}"""), null).Tensors);

        Assert.Equal(new long[] { 3 }, tensor.Dimensions);
    }

    [Fact]
    public void Features_fill_a_fixed_matrix_in_row_order()
    {
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, 2, 2])], []);

        var tensor = Assert.Single(new OnnxInputMapper(signature).Map(Json("""{"features": [1, 2, 3, 4]}"""), null).Tensors);

        Assert.Equal(new long[] { 2, 2 }, tensor.Dimensions);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, tensor.Floats);
    }

    [Fact]
    public void The_wrong_number_of_features_is_refused_naming_the_expected_count()
    {
        var e = Refused(new OnnxInputMapper(Tabular), """{"features": [1, 2, 3]}""", index: 2);

        Assert.Equal("Field 'features' must have exactly 4 numbers (the model's input 'x' is [4] per item); got 3", e.Message);
        Assert.Equal("features", e.Field);
        Assert.Equal(2, e.Index);
    }

    [Fact]
    public void A_feature_that_is_not_a_number_is_refused_naming_its_index()
    {
        var e = Refused(new OnnxInputMapper(Tabular), """{"features": [1, 2, "3", 4]}""");

        Assert.Equal("Field 'features[2]' must be a number", e.Message);
        Assert.Equal("features[2]", e.Field);
        Assert.Null(e.Index);
    }

    [Fact]
    public void A_number_beyond_the_float_range_is_refused()
    {
        var e = Refused(new OnnxInputMapper(Tabular), """{"features": [1, 2, 1e39, 4]}""");

        Assert.Equal("features[2]", e.Field);
        Assert.Contains("range", e.Message);
    }

    [Fact]
    public void A_missing_input_names_what_the_model_takes()
    {
        var e = Refused(new OnnxInputMapper(Tabular), """{"values": [1, 2, 3, 4]}""");

        Assert.Equal("features", e.Field);
        Assert.Equal("Required field 'features' is missing (send {\"features\": [numbers]} or the model's input by name: x)", e.Message);
    }

    [Fact]
    public void An_input_that_is_not_an_object_is_refused()
    {
        Assert.Equal("The input must be an object", Refused(new OnnxInputMapper(Tabular), "[1, 2, 3, 4]").Message);
    }

    [Fact]
    public void Named_tensors_fill_every_input_with_its_type()
    {
        var item = new OnnxInputMapper(MultiInput).Map(Json("""
            {"a": [[1, 2, 3], [4, 5, 6]], "b": 7, "flag": [true, 0], "n": [[1, 2], [3, 4], [5, 6]]}
            """), null);

        Assert.Equal(["a", "b", "flag", "n"], item.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 2, 3 }, item.Tensors[0].Dimensions);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, item.Tensors[0].Floats);
        Assert.Empty(item.Tensors[1].Dimensions);
        Assert.Equal(new long[] { 7 }, item.Tensors[1].Longs);
        Assert.Equal(new long[] { 1, 0 }, item.Tensors[2].Longs);
        // "n" is [any, any] per item: the arrays give its shape.
        Assert.Equal(new long[] { 3, 2 }, item.Tensors[3].Dimensions);
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, item.Tensors[3].Longs);
    }

    [Theory]
    [InlineData("""{"a": [[1, 2, 3]], "b": 1, "flag": [1, 0], "n": [[1]]}""", "a", "Field 'a' must have 2 items (the model's input 'a' is [2, 3] per item); got 1")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5]], "b": 1, "flag": [1, 0], "n": [[1]]}""", "a[1]", "Field 'a[1]' must be an array of 3 items (nested arrays must be rectangular)")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 1.5, "flag": [1, 0], "n": [[1]]}""", "b", "Field 'b' must be an integer")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "flag": [2, 0], "n": [[1]]}""", "flag[0]", "Field 'flag[0]' must be true, false, 0 or 1")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "flag": [1, 0], "n": [[1], [2, 3]]}""", "n[1]", "Field 'n[1]' must be an array of 1 items (nested arrays must be rectangular)")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "flag": [1, 0], "n": [[3000000000]]}""", "n[0][0]", "Field 'n[0][0]' is outside the range of a 32-bit integer")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "flag": [1, 0], "n": 5}""", "n", "Field 'n' must be an array (the model's input 'n' is [any, any] per item)")]
    [InlineData("""{"a": [[1, 2, 3], [4, 5, "6"]], "b": 1, "flag": [1, 0], "n": [[1]]}""", "a[1][2]", "Field 'a[1][2]' must be a number")]
    public void A_tensor_of_the_wrong_shape_or_type_is_refused_precisely(string input, string field, string message)
    {
        var e = Refused(new OnnxInputMapper(MultiInput), input, index: 0);

        Assert.Equal(message, e.Message);
        Assert.Equal(field, e.Field);
        Assert.Equal(0, e.Index);
    }

    [Fact]
    public void Missing_and_unknown_inputs_are_refused_listing_the_models_inputs()
    {
        var missing = Refused(new OnnxInputMapper(MultiInput), """{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "n": [[1]]}""");
        var unknown = Refused(new OnnxInputMapper(MultiInput), """{"a": [[1, 2, 3], [4, 5, 6]], "b": 1, "flag": [1, 0], "n": [[1]], "c": 1}""");

        Assert.Equal("Required field 'flag' is missing (the model's inputs: a, b, flag, n)", missing.Message);
        Assert.Equal("flag", missing.Field);
        Assert.Equal("Field 'c' is not an input of the model (the model's inputs: a, b, flag, n)", unknown.Message);
        Assert.Equal("c", unknown.Field);
    }

    [Fact]
    public void An_item_with_too_many_numbers_is_refused_before_it_is_read()
    {
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, -1, -1])], []);
        var mapper = new OnnxInputMapper(signature, maxElements: 10);

        var tabular = Refused(new OnnxInputMapper(new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, -1])], []), maxElements: 3),
            """{"features": [1, 2, 3, 4]}""");
        var nested = Refused(mapper, """{"x": [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]}""");

        Assert.Equal("Field 'features' has 4 numbers; at most 3 are allowed per input", tabular.Message);
        Assert.Equal("The input has more than 10 numbers; at most 10 are allowed per input", nested.Message);
        Assert.Equal(12, new OnnxInputMapper(signature, maxElements: 12).Map(Json("""{"x": [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]]}"""), null).Tensors[0].Floats!.Length);
    }

    [Fact]
    public void Dimensions_whose_product_overflows_are_refused_not_allocated()
    {
        // Seven levels of 600 items, each level's first item the next level: 600^7 overflows a long, the JSON is small.
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1, -1, -1, -1, -1, -1, -1, -1])], []);
        JsonNode level = new JsonArray(Enumerable.Repeat(0, 600).Select(v => (JsonNode?)v).ToArray());
        for (var i = 1; i < 7; i++)
        {
            level = new JsonArray([level, .. Enumerable.Repeat(0, 599).Select(v => (JsonNode?)v)]);
        }

        var e = Assert.Throws<PredictionInputException>(() => new OnnxInputMapper(signature).Map(new JsonObject { ["x"] = level }, null));

        Assert.Equal($"The input has more than {OnnxInputMapper.DefaultMaxElements} numbers; at most {OnnxInputMapper.DefaultMaxElements} are allowed per input", e.Message);
    }

    [Fact]
    public void Text_becomes_ids_mask_and_token_types()
    {
        var mapper = new OnnxInputMapper(Text, TextEncoderTests.Small(), maxLength: 16);

        var item = mapper.Map(Json("""{"text": "hello world"}"""), null, out var tokens);

        Assert.True(mapper.IsTextModel);
        Assert.Equal(4, tokens);
        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], item.Tensors.Select(t => t.Name));
        Assert.All(item.Tensors, t => Assert.Equal(new long[] { 4 }, t.Dimensions));
        Assert.Equal(new long[] { 2, 5, 6, 3 }, item.Tensors[0].Longs);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, item.Tensors[1].Longs);
        Assert.Equal(new long[] { 0, 0, 0, 0 }, item.Tensors[2].Longs);
    }

    [Fact]
    public void A_bare_string_is_text_too_and_only_the_models_inputs_are_filled()
    {
        var signature = new ModelSignature([Text.Inputs[0], Text.Inputs[1]], Text.Outputs);

        var item = new OnnxInputMapper(signature, TextEncoderTests.Small(), maxLength: 3).Map(JsonValue.Create("hello world"), 1);

        Assert.Equal(["input_ids", "attention_mask"], item.Tensors.Select(t => t.Name));
        Assert.Equal(new long[] { 2, 5, 3 }, item.Tensors[0].Longs);
    }

    [Fact]
    public void A_fixed_sequence_length_is_padded_to()
    {
        var signature = new ModelSignature(
            [new TensorSpec("input_ids", TensorElementType.Int64, [-1, 6]), new TensorSpec("attention_mask", TensorElementType.Int32, [-1, 6])], []);

        var item = new OnnxInputMapper(signature, TextEncoderTests.Small()).MapText("hello", null, out var tokens);

        Assert.Equal(3, tokens);
        Assert.Equal(new long[] { 2, 5, 3, 0, 0, 0 }, item.Tensors[0].Longs);
        Assert.Equal(new long[] { 1, 1, 1, 0, 0, 0 }, item.Tensors[1].Longs);
        Assert.All(item.Tensors, t => Assert.Equal(new long[] { 6 }, t.Dimensions));
    }

    [Theory]
    [InlineData("""{"text": 5}""", "text", "Field 'text' must be a string")]
    [InlineData("""{"text": ""}""", "text", "Field 'text' must be a non-empty string")]
    [InlineData("""{"prompt": "hi"}""", "text", "Required field 'text' is missing (send {\"text\": \"...\"} or the model's inputs by name: input_ids, attention_mask, token_type_ids)")]
    [InlineData("""5""", null, "The input must be an object with a 'text' string")]
    public void Bad_text_inputs_are_refused(string input, string? field, string message)
    {
        var e = Refused(new OnnxInputMapper(Text, TextEncoderTests.Small()), input, index: 3);

        Assert.Equal(message, e.Message);
        Assert.Equal(field, e.Field);
        Assert.Equal(3, e.Index);
    }

    [Fact]
    public void Without_a_vocabulary_a_text_signature_takes_named_tensors()
    {
        var mapper = new OnnxInputMapper(Text);

        var item = mapper.Map(Json("""{"input_ids": [2, 5, 3], "attention_mask": [1, 1, 1], "token_type_ids": [0, 0, 0]}"""), null);

        Assert.False(mapper.IsTextModel);
        Assert.Equal(new long[] { 2, 5, 3 }, item.Tensors[0].Longs);
        Assert.Throws<InvalidOperationException>(() => mapper.MapText("hello", null, out _));
    }

    [Fact]
    public void Only_integer_sequences_of_known_text_inputs_make_a_text_signature()
    {
        Assert.True(OnnxInputMapper.IsTextSignature(Text));
        Assert.False(OnnxInputMapper.IsTextSignature(new ModelSignature([.. Text.Inputs, new TensorSpec("pixel_values", TensorElementType.Float, [-1, 3])], [])));
        Assert.False(OnnxInputMapper.IsTextSignature(new ModelSignature([new TensorSpec("input_ids", TensorElementType.Float, [-1, -1])], [])));
        Assert.False(OnnxInputMapper.IsTextSignature(new ModelSignature([new TensorSpec("input_ids", TensorElementType.Int64, [-1, 1])], [])));
        Assert.False(OnnxInputMapper.IsTextSignature(Tabular));
    }

    [Fact]
    public void Nodes_built_in_code_are_read_like_parsed_ones()
    {
        var input = new JsonObject { ["features"] = new JsonArray(1, 2.5, 3L, 4f) };

        Assert.Equal(new[] { 1f, 2.5f, 3f, 4f }, new OnnxInputMapper(Tabular).Map(input, null).Tensors[0].Floats);
    }
}
