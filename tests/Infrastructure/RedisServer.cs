namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// A real Redis server for the cache tests: <c>redis-server</c> (Debian's redis-server package) on a free port with
/// persistence off, stopped at the end.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private ListeningProcess? _process;

    public int Port { get; } = FreePort.Next();

    public string Configuration => $"127.0.0.1:{Port}";

    public async Task InitializeAsync() =>
        _process = await ListeningProcess.StartAsync("redis-server",
            ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", _directory.Path],
            Port, TimeSpan.FromSeconds(20), "run the suite with tests/run, which obtains it (or apt-get install redis-server)");

    public Task DisposeAsync()
    {
        _process?.Dispose();
        _directory.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
