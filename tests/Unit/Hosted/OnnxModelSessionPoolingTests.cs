using Mcp.Cluster.Models.Hosted.Runtime;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary>The pooling arithmetic on its own, on hand-checked numbers.</summary>
[Trait("Tier", "Unit")]
public sealed class OnnxModelSessionPoolingTests
{
    // Three tokens of two dimensions.
    private static readonly float[] States = [1, 2, 3, 4, 100, 200];

    [Fact]
    public void Masked_mean_skips_masked_tokens()
    {
        var pooled = new float[2];
        EmbeddingPooling.MaskedMean(States, [1L, 1L, 0L], pooled);
        Assert.Equal([2f, 3f], pooled);
    }

    [Fact]
    public void A_mask_shorter_than_the_states_treats_the_rest_as_padding()
    {
        var pooled = new float[2];
        EmbeddingPooling.MaskedMean(States, [1L], pooled);
        Assert.Equal([1f, 2f], pooled);
    }

    [Fact]
    public void Float_masks_weigh_tokens()
    {
        var pooled = new float[2];
        EmbeddingPooling.MaskedMean(States, [1f, 3f, 0f], pooled);
        Assert.Equal([2.5f, 3.5f], pooled);
    }

    [Fact]
    public void An_all_zero_mask_gives_zeros_not_nan()
    {
        var pooled = new float[2];
        EmbeddingPooling.MaskedMean(States, [0L, 0L, 0L], pooled);
        EmbeddingPooling.Normalize(pooled);
        Assert.Equal([0f, 0f], pooled);
    }

    [Fact]
    public void Plain_mean_and_normalize()
    {
        var pooled = new float[2];
        EmbeddingPooling.Mean(States.AsSpan(0, 4), 2, pooled);
        Assert.Equal([2f, 3f], pooled);

        float[] vector = [3, 4];
        EmbeddingPooling.Normalize(vector);
        Assert.Equal([0.6f, 0.8f], vector);
    }

    [Fact]
    public void A_mask_longer_than_the_states_is_refused()
    {
        Assert.Throws<ArgumentException>(() => EmbeddingPooling.MaskedMean(States, [1L, 1L, 1L, 1L], new float[2]));
    }
}
