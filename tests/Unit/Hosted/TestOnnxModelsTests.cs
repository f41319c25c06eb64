using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>The hand-written ONNX files load in ONNX Runtime as the models they describe.</summary>
[Trait("Tier", "Unit")]
public sealed class TestOnnxModelsTests
{
    [Fact]
    public void Onnx_runtime_native_library_loads_with_the_cpu_provider()
    {
        Assert.Contains("CPUExecutionProvider", OrtEnv.Instance().GetAvailableProviders());
        Assert.False(string.IsNullOrEmpty(OrtEnv.Instance().GetVersionString()));
    }

    [Fact]
    public void Tabular_classifier_declares_its_batch_as_a_symbol()
    {
        using var directory = new TempDirectory();
        var model = TestOnnxModels.TabularClassifier(features: 5, hidden: 6, classes: 4);

        var signature = OnnxModelSession.Inspect(model.WriteTo(directory.Path));

        var input = Assert.Single(signature.Inputs);
        Assert.Equal(("features", TensorElementType.Float), (input.Name, input.ElementType));
        Assert.Equal([-1, 5], input.Dimensions);
        Assert.Equal(["probabilities", "label"], signature.Outputs.Select(o => o.Name));
        Assert.Equal([-1, 4], signature.Outputs[0].Dimensions);
        Assert.Equal(TensorElementType.Int64, signature.Outputs[1].ElementType);
        Assert.Equal([-1], signature.Outputs[1].Dimensions);
    }

    [Fact]
    public void Same_seed_gives_the_same_bytes_and_another_seed_other_weights()
    {
        Assert.Equal(TestOnnxModels.TabularClassifier(seed: 1).Bytes, TestOnnxModels.TabularClassifier(seed: 1).Bytes);
        Assert.NotEqual(TestOnnxModels.TabularClassifier(seed: 1).Bytes, TestOnnxModels.TabularClassifier(seed: 2).Bytes);
    }

    [Fact]
    public void Classifier_reference_gives_probabilities()
    {
        var model = TestOnnxModels.TabularClassifier();
        var probabilities = model.Evaluate([0.5f, -1f, 2f, 0.25f]);
        Assert.Equal(3, probabilities.Length);
        Assert.Equal(1, probabilities.Sum(), 5);
        Assert.All(probabilities, p => Assert.InRange(p, 0, 1));
    }

    [Fact]
    public void Token_embedder_has_three_dynamic_int64_inputs_and_a_vocabulary_file_bert_tokenizers_read()
    {
        using var directory = new TempDirectory();
        var model = TestOnnxModels.TokenEmbedder(dimensions: 6);

        var signature = OnnxModelSession.Inspect(model.WriteTo(directory.Path));

        Assert.Equal(["input_ids", "attention_mask", "token_type_ids"], signature.Inputs.Select(i => i.Name));
        Assert.All(signature.Inputs, i => Assert.Equal(TensorElementType.Int64, i.ElementType));
        Assert.All(signature.Inputs, i => Assert.Equal([-1, -1], i.Dimensions));
        var output = Assert.Single(signature.Outputs);
        Assert.Equal("last_hidden_state", output.Name);
        Assert.Equal([-1, -1, 6], output.Dimensions);

        var vocabulary = File.ReadAllLines(Path.Combine(directory.Path, "vocab.txt"));
        Assert.Equal(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], vocabulary[..5]);
        Assert.Contains("##ing", vocabulary);
        Assert.Equal(vocabulary.Length, vocabulary.Distinct().Count());
        Assert.Equal(vocabulary.Length, TokenEmbedderModel.Vocabulary.Length);
    }

    [Fact]
    public void Vocabulary_file_loads_in_the_bert_tokenizer_and_its_ids_run_through_the_model()
    {
        using var directory = new TempDirectory();
        var model = TestOnnxModels.TokenEmbedder();
        var path = model.WriteTo(directory.Path);
        var tokenizer = BertTokenizer.Create(Path.Combine(directory.Path, "vocab.txt"));

        var ids = tokenizer.EncodeToIds("The quick brown fox jumps over the lazy dog").Select(id => (long)id).ToArray();

        Assert.Equal(
            new[] { "[CLS]", "the", "quick", "brown", "fox", "jump", "##s", "over", "the", "lazy", "dog", "[SEP]" }.Select(TokenEmbedderModel.TokenId),
            ids);
        using var session = OnnxModelSession.Load(path, "cpu", 1);
        var mask = ids.Select(_ => 1L).ToArray();
        var result = Assert.Single(session.Run(
            [
                new TensorItem(
                [
                    new NamedTensor("input_ids", [ids.Length], Longs: ids),
                    new NamedTensor("attention_mask", [ids.Length], Longs: mask),
                    new NamedTensor("token_type_ids", [ids.Length], Longs: new long[ids.Length]),
                ]),
            ],
            new OutputPooling("last_hidden_state", "attention_mask", Normalize: true)));
        var expected = model.PooledNormalized(ids, mask);
        var actual = Assert.Single(result.Tensors).Floats!;
        Assert.All(Enumerable.Range(0, expected.Length), d => Assert.Equal(expected[d], actual[d], 1e-5f));
    }

    [Fact]
    public void Token_states_differ_per_token_and_padding_tokens_are_not_zero()
    {
        var model = TestOnnxModels.TokenEmbedder();
        var states = model.TokenStates([2, 18, 3, 0], [1, 1, 1, 0]);
        var rows = states.Chunk(model.Dimensions).ToArray();
        Assert.Equal(4, rows.Length);
        Assert.Equal(4, rows.Select(r => string.Join(",", r)).Distinct().Count());
        Assert.Contains(rows[3], v => v != 0);
    }

    [Fact]
    public void Fixed_batch_model_declares_fixed_dimensions()
    {
        using var directory = new TempDirectory();
        var signature = OnnxModelSession.Inspect(TestOnnxModels.FixedBatch().WriteTo(directory.Path));
        Assert.Equal([1, 4], Assert.Single(signature.Inputs).Dimensions);
        Assert.Equal([1, 4], Assert.Single(signature.Outputs).Dimensions);
    }

    [Fact]
    public void Unsupported_type_models_are_valid_onnx_that_onnx_runtime_loads()
    {
        // The refusals in OnnxModelSessionRefusalTests must come from hosting's rules, not from a broken file.
        foreach (var bytes in new[] { TestOnnxModels.StringInputModel(), TestOnnxModels.SequenceOfMapsOutputModel(), TestOnnxModels.Float16InputModel() })
        {
            using var session = new InferenceSession(bytes);
            Assert.NotEmpty(session.InputMetadata);
            Assert.NotEmpty(session.OutputMetadata);
        }
    }

    [Fact]
    public void Corrupt_files_are_what_they_claim()
    {
        var model = TestOnnxModels.TabularClassifier().Bytes;
        var truncated = TestOnnxModels.Truncated(model);
        Assert.Equal(model[..truncated.Length], truncated);
        Assert.True(truncated.Length < model.Length);
        Assert.Equal(TestOnnxModels.CorruptBytes(), TestOnnxModels.CorruptBytes());
    }
}
