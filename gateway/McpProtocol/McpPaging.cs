using System.Buffers.Text;
using System.Text;
using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Options;
using ModelContextProtocol;

namespace Mcp.Cluster.Gateway.McpProtocol;

/// <summary>
/// Cursor pagination of the MCP list methods. A list is ordered by a key that names each item (a tool's or prompt's
/// name, a resource's URI); a cursor is the key of the last item sent (and how many items carrying that key were sent,
/// as an upstream may repeat a name), so the next page starts right after it. While the catalog stays the same, the
/// pages hold every item exactly once; when it changes between two pages, no item that was there all along is
/// repeated or skipped, an item added before the cursor is not seen and one removed is simply gone — the client learns
/// of the change by <c>notifications/*/list_changed</c> and lists again. Cursors are opaque to clients (base64url) and
/// bound to the list they came from; one that does not read as such is a JSON-RPC InvalidParams error.
/// </summary>
public sealed class McpPaging(IOptions<McpPagingOptions> options)
{
    /// <summary>Longer cursors are refused unread: no key we hand out comes near (resource URIs are the longest).</summary>
    public const int MaxCursorLength = 8192;

    /// <summary>
    /// The page of <paramref name="items"/> that <paramref name="cursor"/> (null: the first page) asks for, ordered by
    /// <paramref name="key"/> (ordinal; items with the same key keep their order), and the cursor of the next page, null
    /// on the last one.
    /// </summary>
    public McpPage<T> Page<T>(string list, IEnumerable<T> items, Func<T, string> key, string? cursor)
    {
        (string Key, int Sent)? position = cursor is null ? null : Read(list, cursor);
        var ordered = items.Select(item => (Key: key(item), Item: item)).OrderBy(i => i.Key, StringComparer.Ordinal).ToArray();
        var start = 0;
        if (position is { } after)
        {
            start = LowerBound(ordered, after.Key);
            // Skip the items with the cursor's key that were sent already (at most as many as there still are).
            while (start < ordered.Length && after.Sent > 0 && string.Equals(ordered[start].Key, after.Key, StringComparison.Ordinal))
            {
                start++;
                after = after with { Sent = after.Sent - 1 };
            }
        }
        var size = options.Value.PageSize is 0 ? int.MaxValue : options.Value.PageSize;
        var end = (int)Math.Min((long)start + size, ordered.Length);
        var page = ordered[start..end].Select(i => i.Item).ToArray();
        if (end >= ordered.Length)
        {
            return new McpPage<T>(page, null);
        }
        var last = ordered[end - 1].Key;
        var sent = end - LowerBound(ordered, last);
        return new McpPage<T>(page, Write(list, last, sent));
    }

    /// <summary>
    /// <see cref="Page{T}"/> over items known by their key before they are loaded: only the page's items are loaded
    /// (concurrently); one that is gone by then (null) is left out of the page, which may then be shorter.
    /// </summary>
    public async Task<McpPage<T>> PageAsync<T>(string list, IEnumerable<McpListing<T>> listings, string? cursor) where T : class
    {
        var page = Page(list, listings, l => l.Key, cursor);
        var loaded = await Task.WhenAll(page.Items.Select(l => l.LoadAsync()));
        return new McpPage<T>([.. loaded.OfType<T>()], page.NextCursor);
    }

    private static int LowerBound<T>((string Key, T Item)[] ordered, string key)
    {
        int low = 0, high = ordered.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(ordered[middle].Key, key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    // A cursor is base64url of "{list}\n{sent}\n{key}".
    private static string Write(string list, string key, int sent) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{list}\n{sent}\n{key}"));

    private static (string Key, int Sent) Read(string list, string cursor)
    {
        if (cursor.Length is 0 or > MaxCursorLength || !Base64Url.IsValid(cursor))
        {
            throw Invalid();
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw Invalid();
        }
        var parts = text.Split('\n', 3);
        if (parts.Length != 3 || parts[0] != list
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sent) || sent < 1)
        {
            throw Invalid();
        }
        return (parts[2], sent);

        McpProtocolException Invalid() => new($"Invalid cursor for {list}: pass back a nextCursor this server sent, or none for the first page.", McpErrorCode.InvalidParams);
    }
}

public static class McpPagingRegistration
{
    /// <summary>The paging of the list methods, with its options (<c>Mcp:PageSize</c>) checked at start.</summary>
    public static IServiceCollection AddMcpPaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMcpOptions<McpPagingOptions>(configuration, McpOptions.Section);
        return services.AddSingleton<McpPaging>();
    }
}

/// <summary>An item of a list by its key, loaded only when a page holds it (a model tool needs its model's schemas).</summary>
public sealed record McpListing<T>(string Key, Func<Task<T?>> LoadAsync) where T : class
{
    public static McpListing<T> Ready(string key, T item) => new(key, () => Task.FromResult<T?>(item));
}

/// <summary>One page of a list answer and the cursor of the next (null on the last page).</summary>
public sealed record McpPage<T>(IReadOnlyList<T> Items, string? NextCursor);
