using System.Text;

namespace Mcp.Cluster.Models;

/// <summary>
/// Token counts when a provider does not report them, and reservation sizes before it does. One token per three
/// UTF-8 bytes overestimates the common tokenizers on English text (about four bytes per token), which is the safe
/// side for quotas.
/// </summary>
public static class TokenEstimate
{
    private const int PerMessageOverhead = 4;

    public static int Of(string? text) => string.IsNullOrEmpty(text) ? 0 : OfBytes(Encoding.UTF8.GetByteCount(text));

    public static int OfBytes(int utf8Bytes) => (utf8Bytes + 2) / 3;

    public static int OfPrompt(IReadOnlyList<CompletionMessage> messages, string? prompt) =>
        prompt is not null ? Of(prompt) : messages.Sum(m => Of(m.Content) + PerMessageOverhead);
}
