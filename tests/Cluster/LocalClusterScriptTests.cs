using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>deploy/local-cluster.sh as an operator uses it: start, use, stop, start again with the data kept, stop.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "System")]
public sealed class LocalClusterScriptTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("mcp-local-cluster-").FullName;
    private readonly string[] _ports;
    private readonly int _httpPort;
    private readonly int _redisPort = FreePort.Next();
    // A `dotnet` first on the script's PATH that notes every `dotnet build` before running the real one.
    private readonly string _tools = Directory.CreateTempSubdirectory("mcp-local-cluster-tools-").FullName;

    public LocalClusterScriptTests()
    {
        // Contiguous ranges (silo i uses base + i) away from the ephemeral ports other tests draw from.
        var slot = Random.Shared.Next(0, 300) * 10;
        _httpPort = 20000 + slot;
        _ports = ["--pg-port", FreePort.Next().ToString(), "--silo-port", (23000 + slot).ToString(), "--client-port", (26000 + slot).ToString(),
            "--http-port", _httpPort.ToString(), "--redis-port", _redisPort.ToString(), "--metrics-port", (29000 + slot / 10 * 3).ToString(),
            "--dir", _directory];
        if (!OperatingSystem.IsWindows())
        {
            // When the tests run as root, the script runs PostgreSQL as the postgres user, which must reach the directory.
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        }
        var dotnet = (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet";
        File.WriteAllText(Path.Combine(_tools, "dotnet"),
            $"#!/bin/sh\n[ \"$1\" = build ] && echo \"$*\" >> '{Builds}'\nexec '{dotnet}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(_tools, "dotnet"), (UnixFileMode)0b111_101_101);
        }
    }

    private string Builds => Path.Combine(_tools, "builds.log");

    private int BuildCount() => File.Exists(Builds) ? File.ReadAllLines(Builds).Length : 0;

    [Fact]
    public async Task The_script_starts_a_cluster_that_serves_stops_every_process_and_keeps_the_data_for_the_next_start()
    {
        var started = await RunAsync("start", "--silos", "2", "--gateways", "1");
        // One build for silo and gateway together, or none when the Release outputs are newer than every source.
        var builds = BuildCount();
        Assert.True(builds <= 1, $"start ran dotnet build {builds} times:\n{File.ReadAllText(Builds)}");
        Assert.Contains($"redis     127.0.0.1:{_redisPort}", started);
        Assert.Equal("+PONG", await RedisPingAsync());
        var pids = Directory.GetFiles(_directory, "*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim())).ToList();
        Assert.Equal(4, pids.Count);

        using var http = new HttpClient { BaseAddress = new Uri($"http://localhost:{_httpPort + 1}") };
        http.DefaultRequestHeaders.Add("X-API-Key", File.ReadAllText(Path.Combine(_directory, "admin.key")).Trim());
        // The script returns once both silos are active in the table; the gateway's view follows within moments.
        await ModelTestHelpers.EventuallyAsync(async () => (await http.GetFromJsonAsync<JsonElement>("/api/cluster/silos"))
                .GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == 2,
            Deadlines.Scaled(TimeSpan.FromSeconds(30)), "both silos to be listed as active");
        using var created = await http.PostAsJsonAsync("/api/keys", new { owner = "ops", permissions = new[] { "read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var keyId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key_id").GetString();

        Assert.Contains("silo-1 running", await RunAsync("status"));
        // status finds PostgreSQL on the port start was given without being told again.
        var status = await RunScriptAsync(["status", "--dir", _directory]);
        Assert.DoesNotContain("postgres not running", status);
        Assert.Contains("127.0.0.1", status);
        // Starting a running cluster again changes nothing, and with nothing changed it builds nothing.
        var again = await RunAsync("start", "--silos", "2", "--gateways", "1");
        Assert.Equal(builds, BuildCount());
        Assert.Contains("build     up to date", again);
        Assert.Equal(pids, Directory.GetFiles(_directory, "*.pid").Select(f => int.Parse(File.ReadAllText(f).Trim())).ToList());
        await RunAsync("stop");
        Assert.All(pids, pid => Assert.False(IsRunning(pid), $"process {pid} outlived stop"));
        Assert.Empty(Directory.GetFiles(_directory, "*.pid"));
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(RedisPingAsync);

        await RunAsync("start", "--silos", "1", "--gateways", "1");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/keys/{keyId}")).StatusCode);
        await RunAsync("stop");
    }

    private Task<string> RunAsync(string command, params string[] arguments) => RunScriptAsync([command, .. arguments, .. _ports]);

    private async Task<string> RunScriptAsync(string[] arguments)
    {
        var environment = new Dictionary<string, string> { ["PATH"] = $"{_tools}:{System.Environment.GetEnvironmentVariable("PATH")}" };
        var (exit, stdout, stderr) = await CommandLine.RunAsync("bash", [Script, .. arguments], TimeSpan.FromMinutes(4), environment: environment);
        return exit == 0 ? stdout : throw new InvalidOperationException($"local-cluster.sh {string.Join(' ', arguments)} exited with {exit}:\n{stderr}\n{stdout}");
    }

    private async Task<string> RedisPingAsync()
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _redisPort);
        var stream = client.GetStream();
        await stream.WriteAsync("PING\r\n"u8.ToArray());
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        return System.Text.Encoding.ASCII.GetString(buffer, 0, read).Trim();
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    private static string Script => Path.Combine(CommandLine.RepositoryRoot, "deploy", "local-cluster.sh");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            // Whatever a failed test left running.
            await CommandLine.RunAsync("bash", [Script, "stop", .. _ports], TimeSpan.FromMinutes(1));
            Directory.Delete(_directory, recursive: true);
            Directory.Delete(_tools, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
