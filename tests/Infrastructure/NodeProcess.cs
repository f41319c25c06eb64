using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// A silo or gateway as its own operating-system process, started from the build output exactly as
/// <c>dotnet run --project silo|gateway</c> would run it; <see cref="Kill"/> is <c>kill -9</c>.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;

    private NodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has ended.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public ConcurrentQueue<string> Output { get; } = new();

    /// <param name="project"><c>silo</c> or <c>gateway</c>.</param>
    /// <param name="workingDirectory">The content root; by default the build output folder.</param>
    /// <param name="arguments">Command-line arguments after the assembly.</param>
    public static NodeProcess Start(string name, string project, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null,
        IReadOnlyList<string>? arguments = null)
    {
        var assembly = project == "silo" ? "Mcp.Cluster.Silo.dll" : "Mcp.Cluster.Gateway.dll";
        // The tests' own build configuration (Debug or Release) is the one the silo and gateway were built in.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(CommandLine.RepositoryRoot, project, "bin", configuration, "net10.0", assembly);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing; the test project builds it through its project references.", path);
        }
        var start = new ProcessStartInfo("dotnet", [path, .. arguments ?? []])
        {
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(path)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // Only the settings a test gives: nothing of the test process's own environment configures the node.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("MCP_", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_ENVIRONMENT").ToArray())
        {
            start.Environment.Remove(inherited);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        var node = new NodeProcess(name, Process.Start(start)!);
        node._process.OutputDataReceived += (_, e) => { if (e.Data is not null) node.Output.Enqueue(e.Data); };
        node._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) node.Output.Enqueue(e.Data); };
        node._process.BeginOutputReadLine();
        node._process.BeginErrorReadLine();
        return node;
    }

    /// <summary>
    /// A silo process with <paramref name="environment"/> (and <paramref name="settings"/> of its own) on free loopback
    /// silo, client-gateway and metrics ports; named <c>silo-{silo port}</c>.
    /// </summary>
    public static NodeProcess StartSilo(IReadOnlyDictionary<string, string> environment, out (int Silo, int Client, int Metrics) ports,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        ports = (FreePort.Next(), FreePort.Next(), FreePort.Next());
        var siloEnvironment = new Dictionary<string, string>(environment)
        {
            ["MCP_Cluster__SiloPort"] = ports.Silo.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MCP_Cluster__GatewayPort"] = ports.Client.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["MCP_Cluster__MetricsPort"] = ports.Metrics.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            siloEnvironment[name] = value;
        }
        return Start($"silo-{ports.Silo}", "silo", siloEnvironment);
    }

    /// <summary>A gateway process with <paramref name="environment"/> on a free loopback port of its own.</summary>
    public static NodeProcess StartGateway(IReadOnlyDictionary<string, string> environment, out Uri address)
    {
        address = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        return Start($"gateway-{address.Port}", "gateway",
            new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = address.ToString() });
    }

    /// <summary>
    /// Polls a gateway process at <paramref name="address"/> until <c>GET /health/ready</c> answers 2xx, for
    /// <paramref name="timeout"/> on a quiet machine (stretched with the load, see <see cref="Deadlines"/>).
    /// </summary>
    public async Task WaitUntilReadyAsync(Uri address, TimeSpan timeout)
    {
        timeout = Deadlines.Scaled(timeout);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(HasExited, $"{Name} exited:\n{Tail()}");
            try
            {
                using var ready = await http.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"{Name} never became ready within {timeout.TotalSeconds:0} s:\n{Tail()}");
            await Task.Delay(250);
        }
    }

    /// <summary>A graceful stop, as Ctrl+C or a service manager's SIGTERM: the node flushes and shuts down.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        if (!await WaitForExitAsync(timeout))
        {
            throw new TimeoutException($"{Name} did not stop within {timeout} of SIGTERM:\n{Tail()}");
        }
    }

    /// <summary>Waits for the process to end by itself; false when it still runs at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public string Tail(int lines = 30) => string.Join('\n', Output.TakeLast(lines));

    /// <summary>Whether <paramref name="line"/> is the bootstrap admin key a gateway prints at its first start.</summary>
    public static bool IsPrintedAdminKey(string line) => AdminKeyLine().IsMatch(line);

    /// <summary>The bootstrap admin key this gateway printed at its first start (as the README says to read it).</summary>
    public async Task<string> BootstrapAdminKeyAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Output.FirstOrDefault(IsPrintedAdminKey) is { } line)
            {
                return line.Trim();
            }
            Assert.True(DateTime.UtcNow < deadline, $"no bootstrap admin key was printed:\n{Tail()}");
            await Task.Delay(100);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s+mcp_[A-Za-z0-9]+_[A-Za-z0-9]+\s*$")]
    private static partial System.Text.RegularExpressions.Regex AdminKeyLine();

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
