using System.Diagnostics;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>Runs a program to completion for the tests (npm, node, PostgreSQL's tools, deploy scripts) and collects its output.</summary>
public static class CommandLine
{
    /// <summary>The repository checkout the tests run from (the folder holding Mcp.Cluster.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(
        string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? workingDirectory = null, IDictionary<string, string>? environment = null,
        string? standardInput = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }
        // Stretched with the machine's load: a command that finishes returns at once however long its deadline.
        timeout = Deadlines.Scaled(timeout);
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

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit is an error carrying the program's output; returns standard output.</summary>
    public static async Task<string> RunCheckedAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var (exit, stdout, stderr) = await RunAsync(file, arguments, timeout, workingDirectory);
        return exit == 0
            ? stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {exit}:\n{stderr}\n{stdout}");
    }

    private static string FindRepositoryRoot()
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
