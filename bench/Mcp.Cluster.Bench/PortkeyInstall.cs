using System.Diagnostics;

namespace Mcp.Cluster.Bench;

/// <summary>
/// Portkey's open-source gateway from npm, installed by the bench into <c>bench/.portkey</c> (git-ignored) the first
/// time it is needed. Without node or npm the Portkey column is skipped with the reason, never the whole run.
/// </summary>
public static class PortkeyInstall
{
    public const string Package = "@portkey-ai/gateway";
    public const string Version = "1.15.2";

    /// <summary>The server script, or null and why it cannot run here.</summary>
    public static async Task<(string? Script, string? Problem)> EnsureAsync(string repository)
    {
        var directory = Path.Combine(repository, "bench", ".portkey");
        var script = Path.Combine(directory, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (await RunAsync("node", ["--version"], repository) is { } noNode)
        {
            return (null, "node is not installed (" + noNode + ")");
        }
        if (File.Exists(script) && InstalledVersion(directory) == Version)
        {
            return (script, null);
        }
        Directory.CreateDirectory(directory);
        Console.WriteLine($"installing {Package}@{Version} into {directory} (npm)...");
        if (await RunAsync("npm", ["install", "--prefix", directory, "--no-audit", "--no-fund", "--loglevel=error", $"{Package}@{Version}"], directory) is { } failed)
        {
            return (null, "npm install failed: " + failed);
        }
        return File.Exists(script) ? (script, null) : (null, $"npm installed {Package} but {script} is missing");
    }

    private static string? InstalledVersion(string directory)
    {
        var manifest = Path.Combine(directory, "node_modules", "@portkey-ai", "gateway", "package.json");
        return File.Exists(manifest)
            ? System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("version").GetString()
            : null;
    }

    /// <summary>Runs a tool to its end; null when it succeeded, otherwise what went wrong.</summary>
    private static async Task<string?> RunAsync(string fileName, string[] arguments, string workingDirectory)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = workingDirectory,
            })!;
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? null : $"exit code {process.ExitCode}: {(await error).Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return e.Message;
        }
    }
}
