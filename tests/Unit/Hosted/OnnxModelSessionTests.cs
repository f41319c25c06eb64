using Mcp.Cluster.Models.Hosted;
using Mcp.Cluster.Models.Hosted.Runtime;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>Real ONNX Runtime runs of the test models against their plain-loop references.</summary>
[Trait("Tier", "Unit")]
public sealed class OnnxModelSessionTests : IDisposable
{
    private const float Tolerance = 1e-5f;

    private static readonly float[][] Rows =
    [
        [0.5f, -1f, 2f, 0.25f],
        [0f, 0f, 0f, 0f],
        [-3f, 1.5f, 0.75f, -0.5f],
        [10f, -10f, 5f, 1f],
        [0.1f, 0.2f, 0.3f, 0.4f],
    ];

    private readonly TempDirectory directory = new();

    public void Dispose() => directory.Dispose();

    [Fact]
    public void Classifier_probabilities_and_labels_equal_the_reference_one_item_at_a_time()
    {
        var model = TestOnnxModels.TabularClassifier();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);

        foreach (var row in Rows)
        {
            var result = Assert.Single(session.Run([Features(row)]));

            var probabilities = Output(result, TabularClassifierModel.ProbabilitiesOutput);
            Assert.Equal([3], probabilities.Dimensions);
            AssertClose(model.Evaluate(row), probabilities.Floats!);
            var label = Output(result, TabularClassifierModel.LabelOutput);
            Assert.Empty(label.Dimensions);
            Assert.Equal([model.Label(row)], label.Longs!);
        }
    }

    [Fact]
    public void A_batch_of_five_in_one_run_equals_five_single_runs()
    {
        var model = TestOnnxModels.TabularClassifier(seed: 21, features: 4, hidden: 16, classes: 5);
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        Assert.True(session.Batchable);

        var batched = session.Run(Rows.Select(Features).ToArray());

        Assert.Equal(Rows.Length, batched.Length);
        for (var k = 0; k < Rows.Length; k++)
        {
            var single = Assert.Single(session.Run([Features(Rows[k])]));
            var probabilities = Output(batched[k], TabularClassifierModel.ProbabilitiesOutput);
            Assert.Equal(Output(single, TabularClassifierModel.ProbabilitiesOutput).Floats!, probabilities.Floats!);
            AssertClose(model.Evaluate(Rows[k]), probabilities.Floats!);
            Assert.Equal(Output(single, TabularClassifierModel.LabelOutput).Longs!, Output(batched[k], TabularClassifierModel.LabelOutput).Longs!);
        }
    }

    [Fact]
    public void Integer_features_are_converted_to_the_float_input()
    {
        var model = TestOnnxModels.TabularClassifier();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);

        var result = Assert.Single(session.Run([new TensorItem([new NamedTensor("features", [4], Longs: [1, -2, 3, 0])])]));

        AssertClose(model.Evaluate([1f, -2f, 3f, 0f]), Output(result, "probabilities").Floats!);
    }

    [Fact]
    public void Sentences_of_different_lengths_batch_together_and_pool_to_the_reference_embeddings()
    {
        var model = TestOnnxModels.TokenEmbedder(dimensions: 8);
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        long[][] sentences =
        [
            Ids("[CLS]", "the", "quick", "brown", "fox", "jump", "##s", "over", "the", "lazy", "dog", "[SEP]"),
            Ids("[CLS]", "hello", "world", "[SEP]"),
            Ids("[CLS]", "cat", "sat", "on", "the", "mat", "[SEP]"),
            Ids("[CLS]", "[SEP]"),
        ];
        var pooling = new OutputPooling(TokenEmbedderModel.LastHiddenState, TokenEmbedderModel.AttentionMask, Normalize: true);

        var results = session.Run(sentences.Select(ids => Sentence(ids, Ones(ids.Length))).ToArray(), pooling);

        Assert.Equal(sentences.Length, results.Length);
        for (var k = 0; k < sentences.Length; k++)
        {
            var embedding = Output(results[k], TokenEmbedderModel.LastHiddenState);
            Assert.Equal([8], embedding.Dimensions);
            AssertClose(model.PooledNormalized(sentences[k], Ones(sentences[k].Length)), embedding.Floats!);
            Assert.Equal(1.0, Math.Sqrt(embedding.Floats!.Sum(v => (double)v * v)), 5);

            // The same sentence alone (no padding) gives the same vector: the padding changed nothing.
            var alone = Output(Assert.Single(session.Run([Sentence(sentences[k], Ones(sentences[k].Length))], pooling)), TokenEmbedderModel.LastHiddenState);
            AssertClose(alone.Floats!, embedding.Floats!);
        }
    }

    [Fact]
    public void Masked_tokens_inside_an_item_do_not_count_in_the_mean()
    {
        var model = TestOnnxModels.TokenEmbedder();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        var ids = Ids("[CLS]", "good", "movie", "[SEP]", "[PAD]", "[PAD]");
        long[] mask = [1, 1, 1, 1, 0, 0];

        var result = Assert.Single(session.Run([Sentence(ids, mask)], new OutputPooling("last_hidden_state", "attention_mask", Normalize: true)));

        AssertClose(model.PooledNormalized(ids, mask), Output(result, "last_hidden_state").Floats!);
    }

    [Fact]
    public void Without_pooling_token_states_come_back_per_item()
    {
        var model = TestOnnxModels.TokenEmbedder(dimensions: 4);
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        var ids = Ids("[CLS]", "data", "cluster", "[SEP]");
        long[] types = [0, 0, 1, 1];

        var result = Assert.Single(session.Run([Sentence(ids, Ones(4), types)]));

        var states = Output(result, "last_hidden_state");
        Assert.Equal([4, 4], states.Dimensions);
        AssertClose(model.TokenStates(ids, Ones(4), types), states.Floats!);
    }

    [Fact]
    public void Unnormalized_pooling_without_a_mask_is_the_plain_mean()
    {
        var model = TestOnnxModels.TokenEmbedder(dimensions: 4);
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        var ids = Ids("[CLS]", "great", "film", "[SEP]");

        var result = Assert.Single(session.Run([Sentence(ids, Ones(4))], new OutputPooling("last_hidden_state", null, Normalize: false)));

        var states = model.TokenStates(ids, Ones(4));
        var mean = Enumerable.Range(0, 4).Select(d => Enumerable.Range(0, 4).Average(t => states[t * 4 + d])).Select(v => (float)v).ToArray();
        AssertClose(mean, Output(result, "last_hidden_state").Floats!);
    }

    [Fact]
    public void Matrix_items_pad_every_row_and_pool_exactly()
    {
        var model = TestOnnxModels.FrameScaler();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        Assert.Equal([FrameScalerModel.Frames, FrameScalerModel.Mask], session.Signature.Inputs.Select(i => i.Name));
        var random = new Random(5);
        (float[] Frames, long[] Mask)[] items =
        [
            (Frames(random, 2), [1, 1]),
            (Frames(random, 5), [1, 1, 0, 1, 1]),
            (Frames(random, 1), [1]),
        ];

        var results = session.Run(
            items.Select(item => new TensorItem(
            [
                new NamedTensor(FrameScalerModel.Frames, [FrameScalerModel.Width, item.Mask.Length], Floats: item.Frames),
                new NamedTensor(FrameScalerModel.Mask, [item.Mask.Length], Longs: item.Mask),
            ])).ToArray(),
            new OutputPooling(FrameScalerModel.States, FrameScalerModel.Mask, Normalize: false));

        for (var k = 0; k < items.Length; k++)
        {
            var pooled = Output(results[k], FrameScalerModel.States);
            Assert.Equal([FrameScalerModel.Width], pooled.Dimensions);
            AssertClose(model.PooledMean(items[k].Frames, items[k].Mask), pooled.Floats!);
        }
    }

    [Fact]
    public void Fixed_batch_model_is_not_batchable_and_still_runs_every_item()
    {
        var model = TestOnnxModels.FixedBatch();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        Assert.False(session.Batchable);

        var results = session.Run(Rows.Select(row => new TensorItem([new NamedTensor("x", [4], Floats: row)])).ToArray());

        Assert.Equal(Rows.Length, results.Length);
        for (var k = 0; k < Rows.Length; k++)
        {
            var y = Output(results[k], FixedBatchModel.Output);
            Assert.Equal([4], y.Dimensions);
            AssertClose(model.Evaluate(Rows[k]), y.Floats!);
        }
    }

    [Fact]
    public void A_model_whose_output_drops_the_batch_runs_items_one_at_a_time()
    {
        using var session = OnnxModelSession.Load(TestOnnxModels.BatchReducing().WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        Assert.False(session.Batchable);
        float[][] rows = [[1, 2], [3, 4]];

        var results = session.Run(rows.Select(row => new TensorItem([new NamedTensor(BatchReducingModel.Input, [2], Floats: row)])).ToArray());

        for (var k = 0; k < rows.Length; k++)
        {
            var total = Output(results[k], BatchReducingModel.Output);
            Assert.Equal([2], total.Dimensions);
            Assert.Equal(rows[k], total.Floats!);
        }
    }

    [Fact]
    public void Signature_load_time_and_memory_are_reported()
    {
        var model = TestOnnxModels.TabularClassifier();
        var path = model.WriteTo(directory.Path);
        using var session = OnnxModelSession.Load(path, "cpu", intraOpThreads: 1);

        Assert.Equal(OnnxModelSession.Inspect(path).Inputs.Single().Dimensions, session.Signature.Inputs.Single().Dimensions);
        Assert.Equal("cpu", session.Device.ToString());
        Assert.True(session.LoadTime > TimeSpan.Zero);
        Assert.True(session.MemoryBytes >= new FileInfo(path).Length);
    }

    [Fact]
    public async Task Concurrent_runs_on_one_session_each_get_their_own_answers()
    {
        var model = TestOnnxModels.TabularClassifier();
        using var session = OnnxModelSession.Load(model.WriteTo(directory.Path), "cpu", intraOpThreads: 1);

        var runs = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
        {
            for (var repeat = 0; repeat < 20; repeat++)
            {
                var row = Rows[(i + repeat) % Rows.Length];
                AssertClose(model.Evaluate(row), Output(Assert.Single(session.Run([Features(row)])), "probabilities").Floats!);
            }
        }));

        await Task.WhenAll(runs);
    }

    [Fact]
    public void An_empty_run_returns_no_items()
    {
        using var session = OnnxModelSession.Load(TestOnnxModels.TabularClassifier().WriteTo(directory.Path), "cpu", intraOpThreads: 1);
        Assert.Empty(session.Run([]));
    }

    [Fact]
    public void Dispose_twice_is_harmless_and_runs_after_it_are_refused()
    {
        var session = OnnxModelSession.Load(TestOnnxModels.TabularClassifier().WriteTo(directory.Path), "cpu", intraOpThreads: 1);

        session.Dispose();
        session.Dispose();

        Assert.Throws<ObjectDisposedException>(() => session.Run([Features(Rows[0])]));
    }

    internal static TensorItem Features(float[] row) => new([new NamedTensor("features", [row.Length], Floats: row)]);

    private static TensorItem Sentence(long[] ids, long[] mask, long[]? types = null) => new(
    [
        new NamedTensor(TokenEmbedderModel.InputIds, [ids.Length], Longs: ids),
        new NamedTensor(TokenEmbedderModel.AttentionMask, [ids.Length], Longs: mask),
        new NamedTensor(TokenEmbedderModel.TokenTypeIds, [ids.Length], Longs: types ?? new long[ids.Length]),
    ]);

    private static long[] Ids(params string[] tokens) => tokens.Select(TokenEmbedderModel.TokenId).ToArray();

    private static float[] Frames(Random random, int count) =>
        Enumerable.Range(0, count * FrameScalerModel.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();

    private static long[] Ones(int length) => Enumerable.Repeat(1L, length).ToArray();

    private static NamedTensor Output(TensorItem item, string name) => Assert.Single(item.Tensors, t => t.Name == name);

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
