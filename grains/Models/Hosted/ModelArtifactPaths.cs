using Mcp.Cluster.Hosting;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Models.Hosted;

/// <summary>
/// Where hosted-model files are on this silo, and the confinement of names callers give: a <c>model_path</c> or
/// <c>model_name</c> resolves inside the models directory or not at all (no <c>..</c>, no absolute path elsewhere, no
/// symbolic link leading out).
/// </summary>
public sealed class ModelArtifactPaths(IOptions<HostedModelOptions> options, IOptions<McpClusterOptions> cluster)
{
    public string ModelDirectory { get; } = Path.GetFullPath(options.Value.ModelDirectory ?? Path.Combine(cluster.Value.DataDirectory, "models"));

    public string ArtifactDirectory { get; } = Path.GetFullPath(options.Value.ArtifactDirectory ?? Path.Combine(cluster.Value.DataDirectory, "artifacts"));

    /// <summary>The absolute path of a stored artifact's <see cref="HostedArtifact.Location"/>.</summary>
    public string Resolve(HostedArtifact artifact) =>
        Path.GetFullPath(artifact.Location, artifact.FromUpload ? ArtifactDirectory : ModelDirectory);

    /// <summary>
    /// <paramref name="name"/> (as the caller gave it: relative to the models directory, or absolute inside it) as a
    /// path relative to the models directory. The caller learns nothing about the file system outside it.
    /// </summary>
    /// <exception cref="Backends.ModelConfigException">The name leaves the models directory.</exception>
    public string Confine(string field, string name)
    {
        if (name.Length == 0 || name.Length > 1024 || name.Contains('\0') || name.Contains('\\'))
        {
            throw Refused(field, name);
        }
        var full = Path.GetFullPath(name, ModelDirectory);
        if (!IsInside(full, ModelDirectory))
        {
            throw Refused(field, name);
        }
        // A link inside the directory must not lead out of it (checked at every level that exists).
        try
        {
            for (var path = full; IsInside(path, ModelDirectory) && path.Length > ModelDirectory.Length; path = Path.GetDirectoryName(path)!)
            {
                var info = new FileInfo(path);
                FileSystemInfo? entry = info.Exists ? info : Directory.Exists(path) ? new DirectoryInfo(path) : null;
                if (entry?.LinkTarget is not null && entry.ResolveLinkTarget(returnFinalTarget: true) is { } target && !IsInside(target.FullName, ModelDirectory))
                {
                    throw Refused(field, name);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A link loop or an unreadable folder: nothing there can be served.
            throw Refused(field, name);
        }
        return Path.GetRelativePath(ModelDirectory, full);
    }

    /// <summary>Whether <paramref name="path"/> lies below <paramref name="directory"/> (both full paths).</summary>
    public static bool IsInside(string path, string directory) =>
        path.StartsWith(directory.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private Backends.ModelConfigException Refused(string field, string name) =>
        new($"config.{field}", $"config.{field} '{Shorten(name)}' is not inside the models directory; model files are read only from there " +
            "(Models:Hosting:ModelDirectory on each silo). Give a path relative to it, or upload the file with PUT /api/models/{model_id}/artifact.");

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";
}
