using Mcp.Cluster.DataSources.Connectors;

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mcp.Cluster.DataSources.Governance;

/// <summary>
/// Applies masks to values. Hashes are keyed with the source's own salt, so equal values give equal hashes within a
/// source (they can still be grouped or joined) but cannot be looked up in a precomputed table or compared across
/// sources. Not thread-safe: every read masks through its own <see cref="ForOneRead"/> instance, which keeps one HMAC
/// (its key schedule computed once) and remembers the values it hashed, since a column's values repeat.
/// </summary>
public sealed class FieldMasker(byte[] salt) : IDisposable
{
    private const int RememberedHashes = 1024;

    private IncrementalHash? _hmac;
    private Dictionary<string, string>? _hashed;

    /// <summary>A masker with the same salt for one read.</summary>
    public FieldMasker ForOneRead() => new(salt);

    private const int VisibleTail = 4;

    /// <summary>
    /// The masked value: a string for hash and partial, null for redact. A structured value (object, array, json) has
    /// no meaningful "last four characters" (they would be a closing brace and the end of a number or name), so partial
    /// withholds it whole, like redact; hash hashes its JSON text.
    /// </summary>
    public object? Apply(MaskKind kind, object? value)
    {
        if (value is null || kind == MaskKind.None)
        {
            return value;
        }
        return kind switch
        {
            MaskKind.Redact => null,
            MaskKind.Partial when value is RawJson => null,
            MaskKind.Hash => Hash(Text(value)),
            MaskKind.Partial => Partial(Text(value)),
            _ => null,
        };
    }

    public string Hash(string text)
    {
        _hashed ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (_hashed.TryGetValue(text, out var known))
        {
            return known;
        }
        _hmac ??= IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, salt);
        Span<byte> digest = stackalloc byte[32];
        _hmac.AppendData(Encoding.UTF8.GetBytes(text));
        _hmac.GetHashAndReset(digest);
        var hash = "h_" + Convert.ToHexStringLower(digest[..16]);
        if (_hashed.Count < RememberedHashes)
        {
            _hashed[text] = hash;
        }
        return hash;
    }

    public static string Partial(string text)
    {
        var at = text.IndexOf('@');
        if (at > 0 && at < text.Length - 1)
        {
            // a.person@example.com → a*******@example.com: the domain is rarely the secret part.
            return text[0] + new string('*', at - 1) + text[at..];
        }
        if (text.Length <= VisibleTail)
        {
            return new string('*', text.Length);
        }
        return new string('*', text.Length - VisibleTail) + text[^VisibleTail..];
    }

    private static string Text(object value) => value switch
    {
        string s => s,
        RawJson json => json.Json,
        byte[] bytes => Convert.ToBase64String(bytes),
        DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime moment => moment.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset moment => moment.ToString("O", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public void Dispose() => _hmac?.Dispose();
}
