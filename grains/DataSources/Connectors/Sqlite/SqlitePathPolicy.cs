namespace Mcp.Cluster.DataSources.Connectors.Sqlite;

/// <summary>
/// Where SQLite sources may open files. A path is made absolute (relative paths are under the data directory, as
/// they always were), every symbolic link along it is resolved, and the result must lie inside the SQLite directory
/// (<c>DataSources:SqliteDirectory</c>, by default <c>{data}/samples</c>). Inside the data directory only that samples
/// folder counts, so the node's own state (grains.db, audit.db, the key ring, the hash secret) can never be opened as a
/// source, whatever the SQLite directory is set to.
/// </summary>
public sealed class SqlitePathPolicy
{
    private const string Field = "config.path";
    private const int MaxLinkHops = 40;

    private readonly string _dataDirectory;
    private readonly string _samples;
    private readonly string _root;

    public SqlitePathPolicy(string dataDirectory, string? sqliteDirectory)
    {
        _dataDirectory = RealPath(Path.GetFullPath(dataDirectory));
        _samples = RealPath(Path.Combine(_dataDirectory, "samples"));
        _root = sqliteDirectory is null ? _samples : RealPath(Path.GetFullPath(sqliteDirectory, _dataDirectory));
    }

    /// <summary>The configured path as the real, absolute file it names.</summary>
    /// <exception cref="DataSourceConfigException">The path is malformed or outside the SQLite directory.</exception>
    public string Resolve(string path)
    {
        if (path.Any(char.IsControl))
        {
            throw new DataSourceConfigException(Field, $"{Field} must not contain control characters.");
        }
        string real;
        try
        {
            real = RealPath(Path.GetFullPath(path, _dataDirectory));
        }
        catch (Exception e) when (e is ArgumentException or IOException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new DataSourceConfigException(Field, $"{Field} is not a usable path: {e.Message}");
        }
        if (!IsInside(real, _root) || (IsInside(real, _dataDirectory) && !IsInside(real, _samples)))
        {
            throw new DataSourceConfigException(Field,
                $"{Field} must name a file inside the SQLite directory '{_root}' (DataSources:SqliteDirectory); relative paths are under the data directory, e.g. samples/jobs.db.");
        }
        return real;
    }

    private static bool IsInside(string path, string directory) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(directory) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// The path with every symbolic link along it followed (what realpath does); components that do not exist yet
    /// are kept as written. GetFullPath has already removed <c>.</c> and <c>..</c>, and a link target is normalized again.
    /// </summary>
    private static string RealPath(string fullPath)
    {
        var hops = 0;
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var pending = new Queue<string>(fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries));
        var current = root;
        while (pending.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            var info = new FileInfo(next);
            if (info.Exists || Directory.Exists(next))
            {
                FileSystemInfo entry = info.Exists ? info : new DirectoryInfo(next);
                if (entry.LinkTarget is { } target)
                {
                    if (++hops > MaxLinkHops)
                    {
                        throw new IOException("Too many symbolic links.");
                    }
                    // Follow the link, then walk whatever of the path is left below its target.
                    var resolved = Path.GetFullPath(target, current);
                    var rest = pending.ToArray();
                    var targetRoot = Path.GetPathRoot(resolved) ?? "/";
                    pending = new Queue<string>(resolved[targetRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                    current = targetRoot;
                    continue;
                }
            }
            current = next;
        }
        return current;
    }
}
