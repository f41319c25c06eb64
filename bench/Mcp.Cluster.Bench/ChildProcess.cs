using System.Diagnostics;

namespace Mcp.Cluster.Bench;

/// <summary>
/// A process the proxy bench starts and measures alone (stub upstream, bare forwarder, Portkey): started with its own
/// environment, ready once <c>GET /</c> answers on its loopback port, killed with its children at the end.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int Pid => _process.Id;

    /// <summary>The bench program itself in another mode (<c>stub-upstream</c>, <c>forwarder</c>).</summary>
    public static Task<ChildProcess> StartBenchModeAsync(string name, int port, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        StartAsync(name, "dotnet", [typeof(ChildProcess).Assembly.Location, .. arguments], port, environment);

    public static async Task<ChildProcess> StartAsync(string name, string fileName, IEnumerable<string> arguments, int port,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        // Output is drained (a full pipe would stall the child) and only errors are shown.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (!string.IsNullOrWhiteSpace(e.Data)) Console.Error.WriteLine($"[{name}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before it was ready.");
            }
            try
            {
                using var response = await http.GetAsync("/");
                if (response.IsSuccessStatusCode)
                {
                    return new ChildProcess(process, address);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{name} was not ready on port {port} within 60 s.");
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
