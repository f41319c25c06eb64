namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// One text as a BERT-style model reads it: token ids framed by [CLS] … [SEP], an attention mask of 1s and token type
/// ids of 0s, all <see cref="TokenCount"/> long (no padding: the batch is padded where items are stacked).
/// </summary>
public sealed record TextEncoding(long[] InputIds, long[] AttentionMask, long[] TokenTypeIds)
{
    public int TokenCount => InputIds.Length;
}
