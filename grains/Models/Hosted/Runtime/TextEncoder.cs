using Microsoft.ML.Tokenizers;

namespace Mcp.Cluster.Models.Hosted.Runtime;

/// <summary>
/// The WordPiece tokenizer of a BERT-family model, built from the <c>vocab.txt</c> shipped with the model. Safe to
/// share between concurrent callers (the tokenizer keeps no per-call state).
/// </summary>
public sealed class TextEncoder
{
    private const string Classification = "[CLS]";
    private const string Separator = "[SEP]";
    private const string Unknown = "[UNK]";
    private const string Padding = "[PAD]";
    private const string Masking = "[MASK]";

    private readonly BertTokenizer _tokenizer;

    private TextEncoder(BertTokenizer tokenizer, long paddingId)
    {
        _tokenizer = tokenizer;
        PaddingId = paddingId;
    }

    /// <summary>The id of <c>[PAD]</c>, or 0 when the vocabulary has none: what a batch pads shorter items with.</summary>
    public long PaddingId { get; }

    /// <summary>Reads a vocabulary file (one token per line, the line number is the id).</summary>
    /// <exception cref="InvalidDataException">The vocabulary lacks [CLS], [SEP] or [UNK], or is not readable as one.</exception>
    public static TextEncoder Load(string vocabularyPath, bool lowerCase = true)
    {
        using var stream = File.OpenRead(vocabularyPath);
        return Load(stream, lowerCase);
    }

    /// <inheritdoc cref="Load(string, bool)"/>
    public static TextEncoder Load(Stream vocabulary, bool lowerCase = true)
    {
        // Read once into memory: the tokens are checked here (for a message that names what is missing) and the
        // tokenizer reads the same bytes.
        using var buffer = new MemoryStream();
        vocabulary.CopyTo(buffer);
        buffer.Position = 0;
        var tokens = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var reader = new StreamReader(buffer, leaveOpen: true))
        {
            long id = 0;
            while (reader.ReadLine() is { } line)
            {
                tokens.TryAdd(line.Trim(), id++);
            }
        }
        var missing = new[] { Classification, Separator, Unknown }.Where(t => !tokens.ContainsKey(t)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidDataException(
                $"The tokenizer vocabulary lacks the special token{(missing.Length > 1 ? "s" : "")} {string.Join(", ", missing)}; a BERT WordPiece vocab.txt has [CLS], [SEP] and [UNK] lines.");
        }
        // The tokenizer insists on [PAD] and [MASK] although encoding never emits them; vocabularies without them
        // stand in [UNK] so they still load.
        var options = new BertOptions
        {
            LowerCaseBeforeTokenization = lowerCase,
            PaddingToken = tokens.ContainsKey(Padding) ? Padding : Unknown,
            MaskingToken = tokens.ContainsKey(Masking) ? Masking : Unknown,
        };
        buffer.Position = 0;
        try
        {
            return new TextEncoder(BertTokenizer.Create(buffer, options), tokens.GetValueOrDefault(Padding, 0));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The tokenizer vocabulary is not usable: {e.Message}", e);
        }
    }

    /// <summary>
    /// Encodes <paramref name="text"/> to at most <paramref name="maxLength"/> tokens, [CLS] and [SEP] included; longer
    /// texts are cut at a token boundary (the tail is dropped, as sentence-transformers does).
    /// </summary>
    public TextEncoding Encode(string text, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var ids = _tokenizer.EncodeToIds(text, maxLength, addSpecialTokens: true, out _, out _);
        var inputIds = new long[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            inputIds[i] = ids[i];
        }
        var mask = new long[inputIds.Length];
        Array.Fill(mask, 1L);
        return new TextEncoding(inputIds, mask, new long[inputIds.Length]);
    }
}
