using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Hybrid;

namespace Mcp.Cluster.DataSources.Caching;

/// <summary>
/// Query results in HybridCache (process memory, plus Redis when configured). The key hashes the source, its
/// generation (bumped whenever the source is refreshed or changed, so stale entries are unreachable on every silo at
/// once), the exact read (statement and bound values) and the caller's effective policy (visible fields, row filters,
/// masks): a result masked for one caller can never be served to a caller with other rights. The scope is random per
/// registration of the source.
/// </summary>
public sealed class DataQueryCache(HybridCache cache)
{
    public static string Tag(string source) => "datasource:" + source;

    public static string Key(string source, string scope, long generation, string readFingerprint, string policyFingerprint)
    {
        var text = $"{source}\n{scope}\n{generation}\n{policyFingerprint}\n{readFingerprint}";
        return $"mcp:data:{source}:{generation}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}";
    }

    /// <summary>Returns the cached rows or reads them; <c>Hit</c> is false when this call ran the read.</summary>
    public async ValueTask<(CachedRows Rows, bool Hit)> GetOrReadAsync(string source, string key, TimeSpan ttl,
        Func<CancellationToken, Task<CachedRows>> read, CancellationToken cancellationToken)
    {
        var ran = false;
        var payload = await cache.GetOrCreateAsync(key, async ct =>
        {
            ran = true;
            return Encode(await read(ct));
        }, new HybridCacheEntryOptions { Expiration = ttl, LocalCacheExpiration = ttl }, [Tag(source)], cancellationToken);
        return (Decode(payload), !ran);
    }

    public ValueTask InvalidateAsync(string source) => cache.RemoveByTagAsync(Tag(source));

    private static byte[] Encode(CachedRows rows)
    {
        var payload = new byte[4 + rows.Json.Length];
        BinaryPrimitives.WriteInt32LittleEndian(payload, rows.Count);
        rows.Json.CopyTo(payload, 4);
        return payload;
    }

    private static CachedRows Decode(byte[] payload) => new(BinaryPrimitives.ReadInt32LittleEndian(payload), payload[4..]);
}

/// <summary>Rows as JSON with their count.</summary>
public sealed record CachedRows(int Count, byte[] Json);
