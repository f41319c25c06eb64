using System.Collections.Frozen;
using System.Globalization;
using System.Text;

namespace Mcp.Cluster.ApiKeys;

/// <summary>
/// How owner names are compared when one is claimed. Authorization compares owners exactly; claims compare their
/// folded form so "Admin", "ＡＤＭＩＮ" or "alice" next to "Alice" cannot pose as a namespace that already exists.
/// </summary>
public static class OwnerNames
{
    /// <summary>Names no self-service caller may claim: the operator's own and ones that read as the system's.</summary>
    private static readonly FrozenSet<string> Reserved = FrozenSet.Create(StringComparer.Ordinal,
        "admin", "admins", "administrator", "administrators", "root", "superuser", "system", "sys", "operator", "operators",
        "mcp", "mcp-cluster", "cluster", "gateway", "silo", "bootstrap", "configuration", "self-service", "selfservice",
        "anonymous", "everyone", "public", "owner", "security", "support", "service", "internal", "null", "none");

    public static string Fold(string owner) => owner.Normalize(NormalizationForm.FormKC).ToLowerInvariant();

    public static bool IsReserved(string owner)
    {
        var folded = Fold(owner);
        if (Reserved.Contains(folded))
        {
            return true;
        }
        // "system:x" or "admin/x" read as the system's too.
        var separator = folded.IndexOfAny([':', '/']);
        return separator > 0 && Reserved.Contains(folded[..separator]);
    }

    /// <summary>
    /// True when every character is visible text: letters, marks, digits, punctuation, symbols and plain spaces. Format
    /// characters (zero-width joiners, direction overrides) would let two different names look the same.
    /// </summary>
    public static bool IsPrintable(string owner)
    {
        var rest = owner.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }
            rest = rest[consumed..];
            switch (Rune.GetUnicodeCategory(rune))
            {
                case UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                    or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return false;
                case UnicodeCategory.SpaceSeparator when rune.Value != ' ':
                    return false;
            }
        }
        return true;
    }
}
