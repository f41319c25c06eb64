using System.Security.Cryptography;
using System.Text;

namespace Mcp.Cluster.Gateway.ApiKeys;

/// <summary>
/// Keyed hash (HMAC-SHA256) of presented keys. The secret never leaves the gateway; the key grain stores and compares
/// only this hash, in constant time. Without the hashing secret a stolen grain database cannot be used to check guesses.
/// </summary>
public sealed class ApiKeyHasher(byte[] hashingSecret)
{
    public byte[] Hash(string apiKey)
    {
        // Presented keys are checked for their fixed length before they get here, so this stays on the stack.
        var max = Encoding.UTF8.GetMaxByteCount(apiKey.Length);
        Span<byte> utf8 = max <= 512 ? stackalloc byte[max] : new byte[max];
        var written = Encoding.UTF8.GetBytes(apiKey, utf8);
        var hash = HMACSHA256.HashData(hashingSecret, utf8[..written]);
        CryptographicOperations.ZeroMemory(utf8);
        return hash;
    }
}
