using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Audit;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mcp.Cluster.Tests.DataSources;

/// <summary>Data is only returned once its audit entry is stored: with the audit store failing, reads are refused.</summary>
[Trait("Tier", "Api")]
public sealed class AuditFailureTests : IAsyncLifetime
{
    private readonly SwitchableAuditStore _store = new();
    private readonly TempDirectory _directory = new();
    private FailingAuditGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _store.Inner = SqlAuditStore.Sqlite(Path.Combine(_directory.Path, "audit.db"));
        _gateway = new FailingAuditGateway(_store);
        await _gateway.EnsureSamplesAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Reads_are_refused_while_the_audit_log_cannot_be_written_and_served_again_after()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var query = new { source = "jobs_db", table = "jobs", limit = 3 };
        await _gateway.QueryOkAsync(admin, query);

        _store.Failing = true;
        using (var refused = await admin.PostAsJsonAsync("/api/data/query", query))
        {
            var problem = await refused.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "data_source_unavailable");
            Assert.Contains("audit", problem.GetProperty("detail").GetString());
            Assert.DoesNotContain("rows", await refused.Content.ReadAsStringAsync());
        }
        _store.Failing = false;
        await _gateway.QueryOkAsync(admin, query);
    }

    private sealed class FailingAuditGateway(IAuditStore store) : DataGateway
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton(store)));
        }
    }

    private sealed class SwitchableAuditStore : IAuditStore
    {
        public IAuditStore Inner { get; set; } = null!;

        public volatile bool Failing;

        public Task AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("The audit disk is full.") : Inner.AppendAsync(entries, cancellationToken);

        public Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken) =>
            Inner.QueryAsync(query, cancellationToken);
    }
}
