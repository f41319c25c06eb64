using System.Security.Cryptography;

namespace Mcp.Cluster.Completions;

/// <summary>
/// Completion ids carry the id of the model that runs them (<c>cmpl_{random}_{model id}</c>), so any gateway can take
/// a read or a cancel straight to that model's grain, which keeps the record; no per-completion grain is needed.
/// </summary>
public static class CompletionIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    private const int RandomLength = 20;
    private const string ModelPrefix = "mod_";

    public static string New(string prefix, string modelId) =>
        string.Concat(prefix, RandomNumberGenerator.GetString(Alphabet, RandomLength), "_", modelId);

    /// <summary>The model id inside a completion id made by <see cref="New"/>; false for anything else.</summary>
    public static bool TryGetModelId(string completionId, out string modelId)
    {
        modelId = "";
        // The random part never holds '_', so the first "_mod_" is the separator.
        var at = completionId.IndexOf("_" + ModelPrefix, StringComparison.Ordinal);
        if (at < RandomLength || at + 1 + ModelPrefix.Length >= completionId.Length || completionId.Length > 256)
        {
            return false;
        }
        for (var i = at - RandomLength; i < at; i++)
        {
            if (!Alphabet.Contains(completionId[i]))
            {
                return false;
            }
        }
        modelId = completionId[(at + 1)..];
        return true;
    }
}
