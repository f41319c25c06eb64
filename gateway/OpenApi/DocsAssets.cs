using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;
using Swashbuckle.AspNetCore.ReDoc;

namespace Mcp.Cluster.Gateway.OpenApi;

/// <summary>
/// A file the docs pages load, with the entity tag conditional requests are answered from and, for large text, a
/// gzip-compressed copy (with its own entity tag) for clients that accept it.
/// </summary>
public sealed record DocsAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag, DocsAsset? Gzip = null)
{
    public static DocsAsset Of(byte[] content, string contentType, bool compress = false) =>
        new(content, contentType, Tag(content), compress ? new DocsAsset(Compress(content), contentType, Tag(Compress(content))) : null);

    /// <summary>
    /// The answer to <paramref name="context"/>'s request: the gzip copy (with <c>Content-Encoding</c>) when there is one
    /// and the client accepts it, <c>Vary: Accept-Encoding</c> whenever there is one, and 304 by entity tag.
    /// </summary>
    public IResult ToResult(HttpContext context)
    {
        var asset = this;
        if (Gzip is { } compressed)
        {
            context.Response.Headers.Vary = HeaderNames.AcceptEncoding;
            if (AcceptsGzip(context.Request))
            {
                context.Response.Headers.ContentEncoding = "gzip";
                asset = compressed;
            }
        }
        return TypedResults.File(asset.Content, asset.ContentType, entityTag: asset.ETag);
    }

    private static bool AcceptsGzip(HttpRequest request) =>
        StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var codings)
        && codings.Any(c => c.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (c.Quality ?? 1) > 0);

    private static EntityTagHeaderValue Tag(byte[] content) =>
        new($"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");

    private static byte[] Compress(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize))
        {
            gzip.Write(content);
        }
        return buffer.ToArray();
    }
}

/// <summary>
/// The files the gateway serves for its docs pages itself, so /docs and /redoc work on a machine without internet:
/// the favicon, the ReDoc page without its web-font link, and ReDoc's bundle with its "API docs by Redocly" logo
/// (which the bundle loads from cdn.redoc.ly) replaced by an inline image, its icons (from cdn.redocly.com) left out
/// and its usage telemetry (to otel.cloud.redocly.com) kept in the browser.
/// </summary>
public sealed class DocsAssets
{
    private const string ResourcePrefix = "Mcp.Cluster.Gateway.OpenApi.Assets.";
    private const string ReDocBundleResource = "Swashbuckle.AspNetCore.ReDoc.node_modules.redoc.bundles.redoc.standalone.js";

    /// <summary>Where ReDoc's bundle fetches its attribution logo (logo-mini.svg and logo-mini-full.svg).</summary>
    public const string ReDocLogoPrefix = "https://cdn.redoc.ly/redoc/logo-mini";

    /// <summary>Where ReDoc's bundle sends usage telemetry (OpenTelemetry traces) unless told not to.</summary>
    public const string ReDocTelemetryUrl = "https://otel.cloud.redocly.com/v1/traces";

    /// <summary>Where ReDoc's bundle fetches its icon packs (font-awesome and code, each under a version).</summary>
    public const string ReDocIconPrefix = "https://cdn.redocly.com/icons/";

    /// <summary>The attribution kept, as text in an inline SVG: nothing to fetch.</summary>
    private const string InlineLogo =
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='64' height='16'%3E%3Ctext x='0' y='12' "
        + "font-family='sans-serif' font-size='12' fill='%23808080'%3ERedocly%3C/text%3E%3C/svg%3E";

    private readonly Lazy<DocsAsset> _reDocBundle = new(LoadReDocBundle);

    public DocsAsset Favicon { get; } = DocsAsset.Of(ReadOwn("favicon.ico"), "image/x-icon");

    public DocsAsset ReDocBundle => _reDocBundle.Value;

    /// <summary>ReDoc's page as Swashbuckle's, less the Google Fonts stylesheet link.</summary>
    public static Stream ReDocIndex() => Resource(typeof(DocsAssets).Assembly, ResourcePrefix + "redoc-index.html");

    private static DocsAsset LoadReDocBundle()
    {
        var bytes = Read(typeof(ReDocOptions).Assembly, ReDocBundleResource);
        // Swashbuckle embeds the bundle gzip-compressed.
        Stream content = new MemoryStream(bytes);
        if (bytes is [0x1f, 0x8b, ..])
        {
            content = new GZipStream(content, CompressionMode.Decompress);
        }
        using var reader = new StreamReader(content, Encoding.UTF8);
        var script = reader.ReadToEnd();
        // The URLs sit in template literals: `https://cdn.redoc.ly/redoc/logo-mini.svg` and …-full.svg.
        script = Regex.Replace(script, Regex.Escape(ReDocLogoPrefix) + "[A-Za-z0-9_.-]*", InlineLogo);
        // Icons are CSS images under `${base}/${type}/${name}.svg`: an empty data URL as the base leaves them out
        // (an image that does not decode draws nothing) without a request.
        script = Regex.Replace(script, Regex.Escape(ReDocIconPrefix) + "[a-z-]+/[0-9.]+", "data:,");
        // Usage telemetry to Redocly's collector is switched off in the page's options (disableTelemetry); the paths
        // that ignore the option (a spec that fails to load) post to a data URL, which never leaves the browser.
        script = script.Replace(ReDocTelemetryUrl, "data:,", StringComparison.Ordinal);
        return DocsAsset.Of(Encoding.UTF8.GetBytes(script), "text/javascript; charset=utf-8", compress: true);
    }

    private static byte[] ReadOwn(string name) => Read(typeof(DocsAssets).Assembly, ResourcePrefix + name);

    private static byte[] Read(System.Reflection.Assembly assembly, string name)
    {
        using var stream = Resource(assembly, name);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static Stream Resource(System.Reflection.Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {assembly.GetName().Name}.");
}
