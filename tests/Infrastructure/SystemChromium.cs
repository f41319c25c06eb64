namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The machine's own Chromium, which the browser tests drive (Playwright with <c>ExecutablePath</c>; no browser is
/// downloaded). Found from <c>MCP_TEST_CHROMIUM</c>, the PATH (chromium, chromium-browser, google-chrome), or the
/// copy tests/run unpacks into tests/.tools without root.
/// </summary>
public static class SystemChromium
{
    public const string Variable = "MCP_TEST_CHROMIUM";

    private static readonly string[] Names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

    /// <summary>The browser's executable, or null when there is none.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(directory => Names.Select(name => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);
        if (onPath is not null)
        {
            return onPath;
        }
        var unpacked = Path.Combine(CommandLine.RepositoryRoot, "tests", ".tools", "root", "usr", "lib", "chromium", "chromium");
        return File.Exists(unpacked) ? unpacked : null;
    }

    /// <summary>As root (CI, and where tests/run installs it) a missing browser is a failure, not a skip.</summary>
    public static bool MayBeMissing => !OperatingSystem.IsLinux() || Environment.UserName != "root";

    public const string HowToInstall =
        "No Chromium found (set MCP_TEST_CHROMIUM, or put chromium on the PATH: as root, apt-get install chromium; tests/run does it).";
}

/// <summary>
/// A fact that needs the machine's Chromium: skipped, saying why, in a run without root where none can be found;
/// as root it always runs (and fails if the browser is missing), so CI never passes a browser test by skipping it.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (SystemChromium.Find() is null && SystemChromium.MayBeMissing)
        {
            Skip = SystemChromium.HowToInstall;
        }
    }
}
