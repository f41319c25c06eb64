using Mcp.Cluster.Audit;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>The audit log's group commit over the SQLite store, and its refusal when the store cannot be written.</summary>
[Trait("Tier", "Unit")]
public sealed class AuditLogTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private static AuditEntry Entry(int i) => new(0, DateTimeOffset.UtcNow, $"key_{i % 7}", "owner", null, "src", "t", ["a", "b"], "query",
        i % 3 == 0 ? AuditDecision.Denied : AuditDecision.Allowed, i % 3 == 0 ? "no grant" : null, i, 0.5, false, null);

    [Fact]
    public async Task Concurrent_appends_are_all_committed_before_they_return()
    {
        var store = SqlAuditStore.Sqlite(Path.Combine(_directory.Path, "audit.db"));
        var log = new AuditLog(store, Options.Create(new AuditLogOptions { MaxBatchSize = 64 }), NullLogger<AuditLog>.Instance);
        await log.StartAsync(default);
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(() => log.AppendAsync(Entry(i)))));
            var all = await store.QueryAsync(new AuditQuery("src", null, null, null, null, null, null, 1000), default);
            Assert.Equal(1000, all.Count);
            Assert.Equal(Enumerable.Range(0, 1000), all.Select(e => e.RowCount).Order());
            var denied = await store.QueryAsync(new AuditQuery("src", "key_0", null, AuditDecision.Denied, null, null, null, 1000), default);
            Assert.Equal(Enumerable.Range(0, 1000).Count(i => i % 7 == 0 && i % 3 == 0), denied.Count);
        }
        finally
        {
            await log.StopAsync(default);
        }
    }

    [Fact]
    public async Task An_append_that_cannot_be_written_throws_instead_of_returning()
    {
        var log = new AuditLog(new FailingStore(), Options.Create(new AuditLogOptions()), NullLogger<AuditLog>.Instance);
        await log.StartAsync(default);
        try
        {
            await Assert.ThrowsAsync<AuditUnavailableException>(() => log.AppendAsync(Entry(1)));
        }
        finally
        {
            await log.StopAsync(default);
        }
    }

    public void Dispose() => _directory.Dispose();

    private sealed class FailingStore : IAuditStore
    {
        public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
            throw new IOException("disk full");

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<AuditEntry>>([]);
    }
}
