using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Bench;

/// <summary>The gateway (co-hosted silo, local mode) as a separate release-build process, so its memory is measured alone.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    public const string AdminKey = "mcp_aaaaaaaaaaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly Process _process;
    private readonly string _data;

    private GatewayProcess(Process process, string data, Uri address)
    {
        _process = process;
        _data = data;
        Address = address;
    }

    public Uri Address { get; }

    public string DataDirectory => _data;

    public int Pid => _process.Id;

    /// <summary>The runtime settings of <c>deploy/streaming-node.env</c> (NAME=value lines, # comments).</summary>
    public static IReadOnlyList<(string Name, string Value)> StreamingNodeSettings(string repository) =>
        File.ReadLines(Path.Combine(repository, "deploy", "streaming-node.env"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .Select(l => (l[..l.IndexOf('=')], l[(l.IndexOf('=') + 1)..]))
            .ToList();

    /// <param name="environment">Runtime settings for this gateway only (a bench variant), applied last.</param>
    public static async Task<GatewayProcess> StartAsync(string repository, bool streamingSettings, IReadOnlyDictionary<string, string>? environment = null)
    {
        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", Path.Combine(repository, "gateway"), "-c", "Release", "--nologo", "-v", "q"]))!;
        await build.WaitForExitAsync();
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException("Building the gateway failed.");
        }
        var data = Directory.CreateTempSubdirectory("mcp-bench-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(repository, "gateway", "bin", "Release", "net10.0", "Mcp.Cluster.Gateway.dll")])
        {
            WorkingDirectory = Path.Combine(repository, "gateway"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["MCP_ADMIN_KEY"] = AdminKey;
        start.Environment["MCP_Cluster__DataDirectory"] = data;
        start.Environment["MCP_Cluster__SiloPort"] = FreePort().ToString();
        start.Environment["MCP_Cluster__GatewayPort"] = FreePort().ToString();
        start.Environment["MCP_Models__SeedBuiltInModels"] = "false";
        start.Environment["MCP_Logging__LogLevel__Default"] = "Warning";
        if (streamingSettings)
        {
            foreach (var (name, value) in StreamingNodeSettings(repository))
            {
                start.Environment[name] = value;
            }
        }
        // Runtime settings meant for the gateway only (e.g. BENCH_GATEWAY_DOTNET_GCHeapHardLimit) are passed on without the prefix.
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => ((string)e.Key, (string?)e.Value)).Where(e => e.Item1.StartsWith("BENCH_GATEWAY_", StringComparison.Ordinal)))
        {
            start.Environment[name["BENCH_GATEWAY_".Length..]] = value;
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[gateway] " + e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("[gateway] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        // On a busy machine a start takes minutes rather than seconds; a gateway that died is reported at once.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The gateway exited with code {process.ExitCode} before it was ready.");
            }
            try
            {
                using var ready = await http.GetAsync("/health/ready");
                if (ready.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(5))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The gateway was not ready within 5 minutes.");
            }
            await Task.Delay(100);
        }
        return new GatewayProcess(process, data, address);
    }

    /// <summary>Resident set (current and peak) of the gateway process, from /proc, in bytes.</summary>
    public (long Rss, long Peak) Memory() => ProcessStats.Memory(_process.Id);

    /// <summary>CPU time (user and system) the gateway process has used, from /proc.</summary>
    public TimeSpan CpuTime() => ProcessStats.CpuTime(_process.Id);

    public int OpenFileDescriptors() => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
