using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The official Azure Storage emulator (Azurite, from tests/clients, run on the Node 22 installed there): its Blob
/// service on a free port with a private data directory, stopped at the end.
/// </summary>
public sealed class AzuriteServer : IAsyncLifetime
{
    /// <summary>Azurite's documented development account.</summary>
    public const string AccountName = "devstoreaccount1";

    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly TempDirectory _directory = new();
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    public string AccountUrl => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={AccountUrl};";

    public async Task InitializeAsync()
    {
        await NodeClients.EnsureInstalledAsync();
        var start = new ProcessStartInfo(NodeClients.Node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NodeClients.Directory,
        };
        foreach (var argument in new[]
        {
            Path.Combine(NodeClients.Directory, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
            "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", _directory.Path, "--skipApiVersionCheck", "--loose", "--silent",
        })
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"Azurite did not listen on {Port} within 60 s.");
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        _process?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteServer>
{
    public const string Name = "azurite";
}
