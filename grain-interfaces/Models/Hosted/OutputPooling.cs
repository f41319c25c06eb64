namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Sentence-embedding post-processing done where the model runs, so token states never leave the host: the mean of
/// output <see cref="Output"/> (per item [tokens, dimensions]) over the tokens whose <see cref="MaskInput"/> is 1, then
/// scaled to unit length when <see cref="Normalize"/>. An output already [dimensions] per item is only normalized.
/// </summary>
[GenerateSerializer, Immutable, Alias("mcp.OutputPooling")]
public sealed record OutputPooling(
    [property: Id(0)] string Output,
    [property: Id(1)] string? MaskInput,
    [property: Id(2)] bool Normalize);
