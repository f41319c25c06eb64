using Mcp.Cluster.Gateway.OpenApi;

namespace Mcp.Cluster.Gateway.AdminConsole;

/// <summary>
/// The console's files, embedded in the gateway assembly (so a gateway started from any directory serves them, and no
/// file on disk can be swapped in): its page, scripts, stylesheet and the vendored chart library, each with an entity
/// tag and, for text, a gzip copy.
/// </summary>
public sealed class ConsoleAssets
{
    public const string ResourcePrefix = "console/";

    private readonly Dictionary<string, DocsAsset> _assets = Load();

    public int Count => _assets.Count;

    /// <summary>The file at <paramref name="path"/> (relative to /console/), or null.</summary>
    public DocsAsset? Find(string path) => _assets.GetValueOrDefault(path);

    private static Dictionary<string, DocsAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, DocsAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            var (type, text) = ContentType(path);
            assets[path] = DocsAsset.Of(buffer.ToArray(), type, compress: text && buffer.Length > 1024);
        }
        return assets;
    }

    private static (string Type, bool Text) ContentType(string path) => Path.GetExtension(path) switch
    {
        ".html" => ("text/html; charset=utf-8", true),
        ".js" => ("text/javascript; charset=utf-8", true),
        ".css" => ("text/css; charset=utf-8", true),
        ".svg" => ("image/svg+xml", true),
        ".txt" => ("text/plain; charset=utf-8", true),
        ".png" => ("image/png", false),
        _ => ("application/octet-stream", false),
    };
}
