using System.Text.Json.Nodes;
using Mcp.Cluster.Models.Hosted;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class OnnxOutputMapperTests
{
    private static readonly TensorSpec Input = new("x", TensorElementType.Float, [-1, 4]);

    private static ModelSignature Outputs(params TensorSpec[] outputs) => new([Input], outputs);

    [Fact]
    public void Each_output_becomes_nested_arrays_of_its_type()
    {
        var signature = Outputs(
            new TensorSpec("matrix", TensorElementType.Float, [-1, 2, 2]),
            new TensorSpec("count", TensorElementType.Int64, [-1]),
            new TensorSpec("flags", TensorElementType.Bool, [-1, 2]));
        var item = new TensorItem([
            new NamedTensor("matrix", [2, 2], Floats: [0.1f, 1f / 3, 123456.789f, float.NaN]),
            new NamedTensor("count", [], Longs: [7]),
            new NamedTensor("flags", [2], Longs: [1, 0]),
        ]);

        var json = new OnnxOutputMapper(signature).ToPrediction(item);

        // 6 significant digits, short; NaN as null; a 0-d output as a bare value.
        Assert.Equal("""{"matrix":[[0.1,0.333333],[123457,null]],"count":7,"flags":[true,false]}""", json.ToJsonString());
    }

    [Fact]
    public void Labels_add_the_argmax_label_and_the_scores()
    {
        var signature = Outputs(new TensorSpec("PredictedLabel", TensorElementType.Int64, [-1]), new TensorSpec("Score", TensorElementType.Float, [-1, 3]));
        var item = new TensorItem([new NamedTensor("PredictedLabel", [], Longs: [1]), new NamedTensor("Score", [3], Floats: [0.2f, 0.7f, 0.1f])]);

        var json = new OnnxOutputMapper(signature, ["cat", "dog", "bird"]).ToPrediction(item);

        Assert.Equal("dog", json["label"]!.GetValue<string>());
        Assert.Equal("""{"cat":0.2,"dog":0.7,"bird":0.1}""", json["scores"]!.ToJsonString());
        Assert.Equal(1, json["PredictedLabel"]!.GetValue<long>());
    }

    [Fact]
    public void The_score_output_is_the_first_float_output_with_one_value_per_label()
    {
        var signature = Outputs(new TensorSpec("hidden", TensorElementType.Float, [-1, 5]), new TensorSpec("logits", TensorElementType.Float, [-1, 2]));

        var mapper = new OnnxOutputMapper(signature, ["no", "yes"]);
        var json = mapper.ToPrediction(new TensorItem([
            new NamedTensor("hidden", [5], Floats: [9, 9, 9, 9, 9]),
            new NamedTensor("logits", [2], Floats: [-1.5f, 2f]),
        ]));

        Assert.Equal("logits", mapper.ScoreOutput);
        Assert.Equal("yes", json["label"]!.GetValue<string>());
        Assert.Equal(-1.5, json["scores"]!["no"]!.GetValue<double>());
    }

    [Fact]
    public void Labels_no_output_can_hold_are_refused_when_the_mapper_is_made()
    {
        var e = Assert.Throws<ArgumentException>(() => new OnnxOutputMapper(Outputs(new TensorSpec("y", TensorElementType.Float, [-1, 3])), ["a", "b"]));

        Assert.Contains("2 labels", e.Message);
        Assert.Contains("y float [any, 3]", e.Message);
    }

    [Fact]
    public void A_dynamic_score_output_that_disagrees_with_the_labels_is_a_model_error()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("y", TensorElementType.Float, [-1, -1])), ["a", "b"]);

        var e = Assert.Throws<InvalidDataException>(() => mapper.ToPrediction(new TensorItem([new NamedTensor("y", [3], Floats: [1, 2, 3])])));

        Assert.Equal("The model's output 'y' is [3] per item but 2 labels are configured.", e.Message);
    }

    [Fact]
    public void Without_labels_a_probabilities_output_adds_the_argmax_as_prediction()
    {
        var signature = Outputs(new TensorSpec("label", TensorElementType.Int64, [-1]), new TensorSpec("probabilities", TensorElementType.Float, [-1, 3]));

        var json = new OnnxOutputMapper(signature).ToPrediction(new TensorItem([
            new NamedTensor("label", [], Longs: [2]),
            new NamedTensor("probabilities", [3], Floats: [0.1f, 0.2f, 0.7f]),
        ]));

        Assert.Equal(2, json["prediction"]!.GetValue<int>());
    }

    [Fact]
    public void Without_labels_the_only_one_dimensional_float_output_adds_prediction()
    {
        var json = new OnnxOutputMapper(Outputs(new TensorSpec("out", TensorElementType.Float, [-1, 2]))).ToPrediction(
            new TensorItem([new NamedTensor("out", [2], Floats: [3f, -1f])]));

        Assert.Equal(0, json["prediction"]!.GetValue<int>());
    }

    [Fact]
    public void A_regression_output_gets_no_prediction()
    {
        var json = new OnnxOutputMapper(Outputs(new TensorSpec("variable", TensorElementType.Float, [-1, 1]))).ToPrediction(
            new TensorItem([new NamedTensor("variable", [1], Floats: [42.5f])]));

        Assert.Equal("""{"variable":[42.5]}""", json.ToJsonString());
    }

    [Fact]
    public void An_added_name_never_replaces_an_output()
    {
        var signature = Outputs(new TensorSpec("label", TensorElementType.Int64, [-1]), new TensorSpec("scores", TensorElementType.Float, [-1, 2]));

        var json = new OnnxOutputMapper(signature, ["a", "b"]).ToPrediction(new TensorItem([
            new NamedTensor("label", [], Longs: [1]),
            new NamedTensor("scores", [2], Floats: [0.25f, 0.75f]),
        ]));

        Assert.Equal(1, json["label"]!.GetValue<long>());
        Assert.Equal("[0.25,0.75]", json["scores"]!.ToJsonString());
    }

    [Fact]
    public void The_embedding_is_the_pooled_output()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("token_embeddings", TensorElementType.Float, [-1, -1, 3]),
            new TensorSpec("sentence_embedding", TensorElementType.Float, [-1, 3])), embeddingOutput: "sentence_embedding");

        var vector = mapper.ToEmbedding(new TensorItem([
            new NamedTensor("token_embeddings", [2, 3], Floats: [1, 2, 3, 4, 5, 6]),
            new NamedTensor("sentence_embedding", [3], Floats: [0.6f, 0, 0.8f]),
        ]));

        Assert.Equal(new[] { 0.6f, 0f, 0.8f }, vector);
    }

    [Fact]
    public void An_embedding_still_per_token_is_a_model_error()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("last_hidden_state", TensorElementType.Float, [-1, -1, 3])));

        var e = Assert.Throws<InvalidDataException>(() => mapper.ToEmbedding(new TensorItem([new NamedTensor("last_hidden_state", [2, 3], Floats: [1, 2, 3, 4, 5, 6])])));

        Assert.Contains("[2, 3]", e.Message);
        Assert.Equal(new[] { 1f, 2f, 3f }, mapper.ToEmbedding(new TensorItem([new NamedTensor("last_hidden_state", [1, 3], Floats: [1, 2, 3])])));
    }

    [Fact]
    public void Classification_applies_softmax_to_logits()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("logits", TensorElementType.Float, [-1, 2])), ["negative", "positive"]);

        var result = mapper.ToClassification(new TensorItem([new NamedTensor("logits", [2], Floats: [0f, (float)Math.Log(3)])]));

        Assert.Equal("positive", result.Label);
        Assert.Equal(0.75, result.Score, 6);
        Assert.Equal(0.25, result.Scores["negative"], 6);
    }

    [Fact]
    public void Classification_keeps_probabilities_as_they_are()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("probabilities", TensorElementType.Float, [-1, 3])), ["a", "b", "c"]);

        var result = mapper.ToClassification(new TensorItem([new NamedTensor("probabilities", [3], Floats: [0.1f, 0.6f, 0.3f])]));

        Assert.Equal("b", result.Label);
        Assert.Equal(0.6, result.Score, 6);
        Assert.Equal(0.1, result.Scores["a"], 6);
    }

    [Fact]
    public void Classification_needs_labels()
    {
        var mapper = new OnnxOutputMapper(Outputs(new TensorSpec("logits", TensorElementType.Float, [-1, 2])));

        Assert.Throws<InvalidOperationException>(() => mapper.ToClassification(new TensorItem([new NamedTensor("logits", [2], Floats: [0, 1])])));
    }
}
