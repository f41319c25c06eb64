using System.Security.Cryptography;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// The shape of a presented key: <c>mcp_{id}_{secret}</c>, both parts lower-case base32. The id part names the key
/// grain (<c>key_{id}</c>), so authenticating is a single grain call with no lookup table.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "mcp_";
    public const string KeyIdPrefix = "key_";
    private const int IdBytes = 10;      // 16 base32 characters
    private const int SecretBytes = 32;  // 52 base32 characters, 256 bits
    private const int IdLength = 16;
    private const int SecretLength = 52;
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static int Length => Prefix.Length + IdLength + 1 + SecretLength;

    public static (string KeyId, string ApiKey) Generate()
    {
        var id = Base32(RandomNumberGenerator.GetBytes(IdBytes));
        return (KeyIdPrefix + id, Compose(id));
    }

    /// <summary>The key id whose id part is made of the first bytes of <paramref name="seed"/> (keys that stand for an OAuth subject).</summary>
    public static string KeyIdFrom(ReadOnlySpan<byte> seed) => KeyIdPrefix + Base32(seed[..IdBytes]);

    /// <summary>A new secret for an existing key id (rotation keeps the id).</summary>
    public static string Regenerate(string keyId) => Compose(keyId[KeyIdPrefix.Length..]);

    /// <summary>What is safe to show of a key: its prefix and id part, never any of the secret.</summary>
    public static string DisplayPrefix(string apiKey) => apiKey[..(Prefix.Length + IdLength)] + "_…";

    public static bool TryGetKeyId(ReadOnlySpan<char> apiKey, out string keyId)
    {
        keyId = "";
        if (apiKey.Length != Length || !apiKey.StartsWith(Prefix, StringComparison.Ordinal) || apiKey[Prefix.Length + IdLength] != '_')
        {
            return false;
        }
        var id = apiKey.Slice(Prefix.Length, IdLength);
        var secret = apiKey[(Prefix.Length + IdLength + 1)..];
        if (!IsBase32(id) || !IsBase32(secret))
        {
            return false;
        }
        keyId = string.Concat(KeyIdPrefix, id);
        return true;
    }

    public static bool IsKeyId(string keyId) =>
        keyId.Length == KeyIdPrefix.Length + IdLength && keyId.StartsWith(KeyIdPrefix, StringComparison.Ordinal)
        && IsBase32(keyId.AsSpan(KeyIdPrefix.Length));

    private static string Compose(string id) => $"{Prefix}{id}_{Base32(RandomNumberGenerator.GetBytes(SecretBytes))}";

    private static bool IsBase32(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7')))
            {
                return false;
            }
        }
        return true;
    }

    private static string Base32(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[index++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            chars[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        return new string(chars, 0, index);
    }
}
