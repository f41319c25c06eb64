using System.Text;
using Mcp.Cluster.Models.Hosted.Runtime;

namespace Mcp.Cluster.Tests.Unit.Hosted;

[Trait("Tier", "Unit")]
public sealed class TextEncoderTests : IDisposable
{
    /// <summary>Ids are line numbers: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4, hello 5, world 6, play 7, ##ing 8, the 9.</summary>
    internal static readonly string[] Vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "play", "##ing", "the"];

    private readonly string _directory = Directory.CreateTempSubdirectory("text-encoder-").FullName;

    internal static TextEncoder Small() => TextEncoder.Load(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Vocabulary) + "\n")));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Known_words_and_word_pieces_are_framed_by_cls_and_sep()
    {
        var path = Path.Combine(_directory, "vocab.txt");
        File.WriteAllLines(path, Vocabulary);

        var encoding = TextEncoder.Load(path).Encode("Hello world, the playing", 16);

        // "," is not in the vocabulary: [UNK]; "playing" is play + ##ing; upper case is folded.
        Assert.Equal(new long[] { 2, 5, 6, 1, 9, 7, 8, 3 }, encoding.InputIds);
        Assert.Equal(Enumerable.Repeat(1L, 8), encoding.AttentionMask);
        Assert.Equal(new long[8], encoding.TokenTypeIds);
        Assert.Equal(8, encoding.TokenCount);
    }

    [Fact]
    public void An_unknown_word_becomes_unk()
    {
        Assert.Equal(new long[] { 2, 1, 5, 3 }, Small().Encode("zebra hello", 16).InputIds);
    }

    [Fact]
    public void Case_is_kept_when_lower_casing_is_off()
    {
        var encoder = TextEncoder.Load(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', Vocabulary))), lowerCase: false);

        Assert.Equal(new long[] { 2, 1, 5, 3 }, encoder.Encode("Hello hello", 16).InputIds);
    }

    [Fact]
    public void Long_texts_are_truncated_with_the_special_tokens_counted()
    {
        var encoding = Small().Encode("hello world the hello world", 4);

        Assert.Equal(new long[] { 2, 5, 6, 3 }, encoding.InputIds);
        Assert.Equal(4, encoding.AttentionMask.Length);
        Assert.Equal(4, encoding.TokenCount);
    }

    [Fact]
    public void Empty_text_is_just_cls_and_sep()
    {
        var encoding = Small().Encode("", 8);

        Assert.Equal(new long[] { 2, 3 }, encoding.InputIds);
        Assert.Equal(new long[] { 1, 1 }, encoding.AttentionMask);
    }

    [Fact]
    public void A_max_length_below_two_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Small().Encode("hello", 1));
    }

    [Theory]
    [InlineData("[CLS]", "[CLS]")]
    [InlineData("[SEP]", "[SEP]")]
    [InlineData("[UNK]", "[UNK]")]
    public void A_vocabulary_without_a_special_token_is_refused_naming_it(string left, string named)
    {
        var lines = Vocabulary.Where(t => t != left);

        var e = Assert.Throws<InvalidDataException>(() => TextEncoder.Load(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)))));

        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void A_vocabulary_without_pad_and_mask_still_loads_and_pads_with_zero()
    {
        var lines = Vocabulary.Where(t => t is not "[PAD]" and not "[MASK]").ToArray();

        var encoder = TextEncoder.Load(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))));

        // Without [PAD] and [MASK] the ids shift by one: [UNK] 0, [CLS] 1, [SEP] 2, hello 3.
        Assert.Equal(new long[] { 1, 3, 2 }, encoder.Encode("hello", 8).InputIds);
        Assert.Equal(0, encoder.PaddingId);
    }

    [Fact]
    public void The_padding_id_is_that_of_pad()
    {
        var lines = new[] { "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[PAD]", "hello" };

        Assert.Equal(4, TextEncoder.Load(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines)))).PaddingId);
    }
}
