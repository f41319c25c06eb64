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
    private ListeningProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string AccountUrl => $"http://127.0.0.1:{Port}/{AccountName}";

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={AccountUrl};";

    public async Task InitializeAsync()
    {
        await NodeClients.EnsureInstalledAsync();
        _process = await ListeningProcess.StartAsync(NodeClients.Node,
            [
                Path.Combine(NodeClients.Directory, "node_modules", "azurite", "dist", "src", "blob", "main.js"),
                "--blobHost", "127.0.0.1", "--blobPort", Port.ToString(), "--location", _directory.Path, "--skipApiVersionCheck", "--loose", "--silent",
            ],
            Port, TimeSpan.FromSeconds(60), "it comes with npm ci in tests/clients", NodeClients.Directory);
    }

    public Task DisposeAsync()
    {
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
