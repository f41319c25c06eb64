using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>Files hosting cannot run and inputs a model cannot take fail with clear, typed errors.</summary>
[Trait("Tier", "Unit")]
public sealed class OnnxModelSessionRefusalTests : IDisposable
{
    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Random_bytes_are_not_a_model()
    {
        var path = TestOnnxModels.Write(directory.Path, "random.onnx", TestOnnxModels.CorruptBytes());

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Load(path, "cpu", 1));

        Assert.Contains("'random.onnx' is not an ONNX model", error.Message);
        Assert.DoesNotContain(directory.Path, error.Message);
        Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Inspect(path));
    }

    [Fact]
    public void A_truncated_model_is_refused_as_not_loadable()
    {
        var path = TestOnnxModels.Write(directory.Path, "cut.onnx", TestOnnxModels.Truncated(TestOnnxModels.TokenEmbedder().Bytes));

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Inspect(path));

        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var path = TestOnnxModels.Write(directory.Path, "empty.onnx", []);

        Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Inspect(path));
    }

    [Fact]
    public void A_missing_file_is_not_found()
    {
        Assert.Throws<FileNotFoundException>(() => OnnxModelSession.Load(Path.Combine(directory.Path, "absent.onnx"), "cpu", 1));
    }

    [Fact]
    public void A_string_input_is_refused_with_the_input_named()
    {
        var path = TestOnnxModels.Write(directory.Path, "text.onnx", TestOnnxModels.StringInputModel());

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Load(path, "cpu", 1));

        Assert.Contains("input 'text' is a tensor of strings", error.Message);
        Assert.Contains("tokenizes", error.Message);
    }

    [Fact]
    public void A_zipmap_output_is_refused_with_the_export_option_to_change()
    {
        var path = TestOnnxModels.Write(directory.Path, "zipmap.onnx", TestOnnxModels.SequenceOfMapsOutputModel());

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Inspect(path));

        Assert.Contains("output 'probabilities' is a sequence of maps", error.Message);
        Assert.Contains("zipmap disabled", error.Message);
    }

    [Fact]
    public void A_model_without_inputs_is_refused()
    {
        var path = TestOnnxModels.Write(directory.Path, "constant.onnx", TestOnnxModels.NoInputsModel());

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Load(path, "cpu", 1));

        Assert.Contains("the model has no inputs", error.Message);
    }

    [Fact]
    public void A_float16_input_is_refused()
    {
        var path = TestOnnxModels.Write(directory.Path, "half.onnx", TestOnnxModels.Float16InputModel());

        var error = Assert.Throws<ModelArtifactException>(() => OnnxModelSession.Inspect(path));

        Assert.Contains("input 'half' is a tensor of float16", error.Message);
    }

    [Theory]
    [InlineData("cuda:0")]
    [InlineData("cuda")]
    public void A_cuda_device_on_the_cpu_build_is_a_clear_error(string device)
    {
        var path = TestOnnxModels.TabularClassifier().WriteTo(directory.Path);

        var error = Assert.Throws<OnnxDeviceUnavailableException>(() => OnnxModelSession.Load(path, device, 1));

        Assert.Contains("CUDA execution provider", error.Message);
        Assert.Contains("cuda:0", error.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    [InlineData("tpu:0")]
    public void An_unknown_device_is_an_argument_error(string device)
    {
        var path = TestOnnxModels.TabularClassifier().WriteTo(directory.Path);

        var error = Assert.Throws<ArgumentException>(() => OnnxModelSession.Load(path, device, 1));

        Assert.Contains($"device '{device}'", error.Message);
    }

    [Fact]
    public void A_missing_input_is_named()
    {
        using var session = Embedder();

        var error = Assert.Throws<ArgumentException>(() => session.Run(
        [
            new TensorItem([new NamedTensor("input_ids", [2], Longs: [2, 3]), new NamedTensor("attention_mask", [2], Longs: [1, 1])]),
        ]));

        Assert.Contains("input 'token_type_ids' is missing", error.Message);
    }

    [Fact]
    public void An_unknown_input_is_named()
    {
        using var session = Classifier();

        var error = Assert.Throws<ArgumentException>(() => session.Run(
        [
            new TensorItem([new NamedTensor("features", [4], Floats: [1, 2, 3, 4]), new NamedTensor("extra", [1], Floats: [1])]),
        ]));

        Assert.Contains("'extra'", error.Message);
        Assert.Contains("'features'", error.Message);
    }

    [Fact]
    public void A_wrong_element_count_is_named()
    {
        using var session = Classifier();

        var error = Assert.Throws<ArgumentException>(() => session.Run([new TensorItem([new NamedTensor("features", [4], Floats: [1, 2, 3])])]));

        Assert.Contains("input 'features' has 3 values; its dimensions [4] need 4", error.Message);
    }

    [Fact]
    public void Dimensions_against_the_fixed_ones_are_refused()
    {
        using var session = Classifier();

        var error = Assert.Throws<ArgumentException>(() => session.Run([new TensorItem([new NamedTensor("features", [5], Floats: [1, 2, 3, 4, 5])])]));

        Assert.Contains("input 'features' has dimensions [5] per item; the model takes [4] per item", error.Message);
        Assert.Throws<ArgumentException>(() => session.Run([new TensorItem([new NamedTensor("features", [2, 2], Floats: [1, 2, 3, 4])])]));
    }

    [Fact]
    public void Floats_for_an_integer_input_are_refused()
    {
        using var session = Embedder();

        var error = Assert.Throws<ArgumentException>(() => session.Run(
        [
            new TensorItem(
            [
                new NamedTensor("input_ids", [2], Floats: [2, 3]),
                new NamedTensor("attention_mask", [2], Longs: [1, 1]),
                new NamedTensor("token_type_ids", [2], Longs: [0, 0]),
            ]),
        ]));

        Assert.Contains("input 'input_ids' is int64; send its values as integers", error.Message);
    }

    [Fact]
    public void Items_of_different_shapes_batch_only_with_a_pooling_mask()
    {
        using var session = Embedder();
        TensorItem[] items = [Sentence(2, 3), Sentence(3, 18, 4)];

        var error = Assert.Throws<ArgumentException>(() => session.Run(items));

        Assert.Contains("item 1: input 'input_ids' has dimensions [3] and the first item [2]", error.Message);
        Assert.Equal(2, session.Run(items, new OutputPooling("last_hidden_state", "attention_mask", true)).Length);
    }

    [Fact]
    public void A_token_id_past_the_vocabulary_is_rejected_by_the_runtime_as_bad_input()
    {
        using var session = Embedder();

        var error = Assert.Throws<OnnxInputRejectedException>(() => session.Run([Sentence(2, 100_000, 3)]));

        Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Contains("could not run on these inputs", error.Message);
    }

    [Fact]
    public void Pooling_names_must_exist()
    {
        using var session = Embedder();

        Assert.Contains("output 'pooled'", Assert.Throws<ArgumentException>(() => session.Run([Sentence(2, 3)], new OutputPooling("pooled", null, true))).Message);
        Assert.Contains("mask input 'mask'", Assert.Throws<ArgumentException>(() => session.Run([Sentence(2, 3)], new OutputPooling("last_hidden_state", "mask", true))).Message);
    }

    [Fact]
    public void A_bad_item_is_caught_alone_before_batching()
    {
        using var session = Classifier();

        session.CheckItem(OnnxModelSessionTests.Features([1, 2, 3, 4]));
        Assert.Contains("input 'features' is missing", Assert.Throws<ArgumentException>(() => session.CheckItem(new TensorItem([]))).Message);
        Assert.Contains(
            "input 'features' has 3 values",
            Assert.Throws<ArgumentException>(() => session.CheckItem(new TensorItem([new NamedTensor("features", [4], Floats: [1, 2, 3])]))).Message);
        Assert.Contains(
            "input 'features' has dimensions [5]",
            Assert.Throws<ArgumentException>(() => session.CheckItem(new TensorItem([new NamedTensor("features", [5], Floats: [1, 2, 3, 4, 5])]))).Message);
    }

    private OnnxModelSession Classifier() =>
        OnnxModelSession.Load(TestOnnxModels.TabularClassifier().WriteTo(directory.Path), "cpu", 1);

    private OnnxModelSession Embedder() =>
        OnnxModelSession.Load(TestOnnxModels.TokenEmbedder().WriteTo(directory.Path), "cpu", 1);

    private static TensorItem Sentence(params long[] ids) => new(
    [
        new NamedTensor("input_ids", [ids.Length], Longs: ids),
        new NamedTensor("attention_mask", [ids.Length], Longs: [.. ids.Select(_ => 1L)]),
        new NamedTensor("token_type_ids", [ids.Length], Longs: new long[ids.Length]),
    ]);
}
