namespace Mcp.Cluster.Tests.Infrastructure.Onnx;

/// <summary>
/// A tiny BERT-shaped sentence encoder: input_ids, attention_mask and token_type_ids, all int64 [batch, sequence], give
/// last_hidden_state float [batch, sequence, D] = word[input_ids] + type[token_type_ids] + mask[attention_mask]
/// (three Gathers and two Adds). Every token's state differs, padding tokens included, so pooling that forgets the
/// mask gives a different vector. Comes with a BERT-style vocab.txt whose line numbers are the token ids.
/// </summary>
public sealed class TokenEmbedderModel
{
    public const string InputIds = "input_ids";
    public const string AttentionMask = "attention_mask";
    public const string TokenTypeIds = "token_type_ids";
    public const string LastHiddenState = "last_hidden_state";

    /// <summary>[PAD] is 0 as in BERT vocabularies; then the other specials, words and ## continuation pieces.</summary>
    public static readonly string[] Vocabulary =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
        "the", "a", "an", "is", "was", "and", "or", "not", "of", "to", "in", "on", "with",
        "cat", "dog", "sat", "mat", "quick", "brown", "fox", "jump", "over", "lazy",
        "hello", "world", "model", "cluster", "data", "good", "bad", "great", "terrible", "movie",
        "film", "play", "run", "walk", "happy", "sad", "fast", "slow", "text", "token",
        "##s", "##ing", "##ed", "##er", "##ly", "##est", "##y", "##ness",
    ];

    private readonly float[] wordTable;
    private readonly float[] typeTable;
    private readonly float[] maskTable;

    public TokenEmbedderModel(int seed, int dimensions)
    {
        Dimensions = dimensions;
        var random = new Random(seed);
        wordTable = SeededWeights.Uniform(random, Vocabulary.Length * dimensions);
        typeTable = SeededWeights.Uniform(random, 2 * dimensions, 0.25f);
        maskTable = SeededWeights.Uniform(random, 2 * dimensions, 0.25f);
        Bytes = new OnnxGraphBuilder("token_embedder")
            .Input(InputIds, OnnxDataType.Int64, "batch", "sequence")
            .Input(AttentionMask, OnnxDataType.Int64, "batch", "sequence")
            .Input(TokenTypeIds, OnnxDataType.Int64, "batch", "sequence")
            .Weights("word_embeddings", [Vocabulary.Length, dimensions], wordTable)
            .Weights("token_type_embeddings", [2, dimensions], typeTable)
            .Weights("mask_embeddings", [2, dimensions], maskTable)
            .Node("Gather", ["word_embeddings", InputIds], ["words"], [OnnxProto.IntAttribute("axis", 0)])
            .Node("Gather", ["token_type_embeddings", TokenTypeIds], ["types"], [OnnxProto.IntAttribute("axis", 0)])
            .Node("Gather", ["mask_embeddings", AttentionMask], ["masks"], [OnnxProto.IntAttribute("axis", 0)])
            .Node("Add", ["words", "types"], ["words_types"])
            .Node("Add", ["words_types", "masks"], [LastHiddenState])
            .Output(LastHiddenState, OnnxDataType.Float, "batch", "sequence", dimensions)
            .Build();
    }

    public int Dimensions { get; }

    public byte[] Bytes { get; }

    public static long TokenId(string token)
    {
        var id = Array.IndexOf(Vocabulary, token);
        return id >= 0 ? id : throw new ArgumentException($"'{token}' is not in the test vocabulary");
    }

    /// <summary>The model's output for one item, [sequence, D] flattened; token types default to 0.</summary>
    public float[] TokenStates(long[] inputIds, long[] attentionMask, long[]? tokenTypeIds = null)
    {
        var states = new float[inputIds.Length * Dimensions];
        for (var s = 0; s < inputIds.Length; s++)
        {
            var type = tokenTypeIds?[s] ?? 0;
            for (var d = 0; d < Dimensions; d++)
            {
                states[s * Dimensions + d] = wordTable[inputIds[s] * Dimensions + d]
                    + typeTable[type * Dimensions + d]
                    + maskTable[attentionMask[s] * Dimensions + d];
            }
        }

        return states;
    }

    /// <summary>The sentence embedding: token states averaged over the tokens whose mask is 1, then unit length.</summary>
    public float[] PooledNormalized(long[] inputIds, long[] attentionMask, long[]? tokenTypeIds = null)
    {
        var states = TokenStates(inputIds, attentionMask, tokenTypeIds);
        var sum = new double[Dimensions];
        var count = 0.0;
        for (var s = 0; s < inputIds.Length; s++)
        {
            if (attentionMask[s] == 0)
            {
                continue;
            }

            count++;
            for (var d = 0; d < Dimensions; d++)
            {
                sum[d] += states[s * Dimensions + d];
            }
        }

        var norm = 0.0;
        for (var d = 0; d < Dimensions; d++)
        {
            sum[d] /= count;
            norm += sum[d] * sum[d];
        }

        norm = Math.Sqrt(norm);
        var pooled = new float[Dimensions];
        for (var d = 0; d < Dimensions; d++)
        {
            pooled[d] = (float)(sum[d] / norm);
        }

        return pooled;
    }

    /// <summary>Writes model.onnx and vocab.txt side by side; returns the model's path.</summary>
    public string WriteTo(string directory, string fileName = "model.onnx")
    {
        WriteVocabulary(directory);
        return TestOnnxModels.Write(directory, fileName, Bytes);
    }

    public static string WriteVocabulary(string directory, string fileName = "vocab.txt")
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        File.WriteAllText(path, string.Join('\n', Vocabulary) + "\n");
        return path;
    }
}
