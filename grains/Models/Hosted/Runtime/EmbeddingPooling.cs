using System.Numerics;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// Sentence-embedding pooling over one item's token states ([tokens, dimensions], row-major): the mask-weighted mean
/// and L2 normalization. Tokens past the mask's length are padding added by batching and weigh nothing, which makes
/// right-padding exact.
/// </summary>
public static class EmbeddingPooling
{
    /// <summary>
    /// destination[d] = Σ mask[t]·states[t, d] / Σ mask[t] over t &lt; mask.Length. A mask of all zeros gives the
    /// zero vector rather than NaN.
    /// </summary>
    /// <typeparam name="TMask">The mask's element type: integer masks as tokenizers make them, or float ones.</typeparam>
    public static void MaskedMean<TMask>(ReadOnlySpan<float> tokenStates, ReadOnlySpan<TMask> mask, Span<float> destination)
        where TMask : INumber<TMask>
    {
        var dimensions = destination.Length;
        CheckShape(tokenStates, mask.Length, dimensions);
        destination.Clear();
        double weight = 0;
        for (var t = 0; t < mask.Length; t++)
        {
            if (TMask.IsZero(mask[t]))
            {
                continue;
            }

            var w = double.CreateTruncating(mask[t]);
            weight += w;
            Accumulate(tokenStates.Slice(t * dimensions, dimensions), (float)w, destination);
        }

        Scale(destination, weight == 0 ? 0 : 1.0 / weight);
    }

    /// <summary>The plain mean over all <paramref name="tokens"/> rows.</summary>
    public static void Mean(ReadOnlySpan<float> tokenStates, int tokens, Span<float> destination)
    {
        var dimensions = destination.Length;
        CheckShape(tokenStates, tokens, dimensions);
        destination.Clear();
        for (var t = 0; t < tokens; t++)
        {
            Accumulate(tokenStates.Slice(t * dimensions, dimensions), 1, destination);
        }

        Scale(destination, tokens == 0 ? 0 : 1.0 / tokens);
    }

    /// <summary>Scales <paramref name="vector"/> to unit Euclidean length; the zero vector stays zero.</summary>
    public static void Normalize(Span<float> vector)
    {
        double squares = 0;
        for (var d = 0; d < vector.Length; d++)
        {
            squares += (double)vector[d] * vector[d];
        }

        if (squares > 0)
        {
            Scale(vector, 1.0 / Math.Sqrt(squares));
        }
    }

    private static void Accumulate(ReadOnlySpan<float> row, float weight, Span<float> sum)
    {
        for (var d = 0; d < sum.Length; d++)
        {
            sum[d] += weight * row[d];
        }
    }

    private static void Scale(Span<float> vector, double factor)
    {
        for (var d = 0; d < vector.Length; d++)
        {
            vector[d] = (float)(vector[d] * factor);
        }
    }

    private static void CheckShape(ReadOnlySpan<float> tokenStates, int tokens, int dimensions)
    {
        if ((long)tokens * dimensions > tokenStates.Length)
        {
            throw new ArgumentException(
                $"{tokens} tokens of {dimensions} dimensions need {(long)tokens * dimensions} values; the token states have {tokenStates.Length}");
        }
    }
}
