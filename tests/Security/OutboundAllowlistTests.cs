using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Outbound;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 15, item 5: what operators allow (<c>Outbound:AllowedTargets</c>, <c>Outbound:AllowPublicTargets</c>) and the
/// check of the address actually connected to. Every host name here resolves through a test resolver, never DNS.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OutboundAllowlistTests : IAsyncLifetime
{
    private readonly ModelServiceWireServer _local = new("svc-local");
    private readonly ModelServiceWireServer _internal = new("svc-internal");
    private readonly TestResolver _resolver = new();
    private ResolvingGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        await _local.StartAsync();
        await _internal.StartAsync();
        _gateway = new ResolvingGateway(_resolver, new Dictionary<string, string?>
        {
            // A local model server the operator opens to everyone, by name and port (like Ollama on localhost:11434).
            ["Outbound:AllowedTargets:0"] = $"localhost:{_local.BaseUri.Port}",
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _local.DisposeAsync();
        await _internal.DisposeAsync();
    }

    [Fact]
    public async Task An_allowlisted_localhost_port_works_for_a_non_admin_and_other_loopback_ports_do_not()
    {
        _resolver.Map("localhost", IPAddress.Loopback);
        using var user = await _gateway.NonAdminClientAsync("allow-local");
        var name = SecurityGateway.UniqueName("local-svc");
        using (var registered = await user.PostAsJsonAsync("/tools", new
        {
            name, url = $"http://localhost:{_local.BaseUri.Port}/predict", headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-local" },
        }))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        using (var run = await user.PostAsJsonAsync($"/api/models/{name}/predict", new { amount = 9000 }))
        {
            Assert.Equal(0.9, (await run.AssertOkAsync()).GetProperty("risk").GetDouble());
        }
        using (var other = await user.PostAsJsonAsync("/tools", new { name = SecurityGateway.UniqueName("other-port"), url = $"http://localhost:{_internal.BaseUri.Port}/predict" }))
        {
            await other.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        Assert.Empty(_internal.Requests);
    }

    [Fact]
    public async Task A_name_that_resolves_to_loopback_when_called_is_refused_at_connect_time()
    {
        // Registration sees a public name; at connect time it resolves to loopback (DNS rebinding).
        _resolver.Map("rebind.example", IPAddress.Loopback);
        using var stranger = await _gateway.NonAdminClientAsync("rebinder");
        var id = await stranger.RegisterModelAsync(new
        {
            name = SecurityGateway.UniqueName("rebind"), provider = "http",
            config = new { url = $"http://rebind.example:{_internal.BaseUri.Port}/predict", headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-internal" } },
        });
        using var run = await stranger.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 });
        var error = await run.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
        Assert.Contains("outbound policy", error.GetProperty("detail").GetString());
        Assert.Empty(_internal.Requests);

        // An admin editing only its headers does not vouch for the address the stranger set.
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        using (var headersOnly = await admin.PatchAsJsonAsync($"/api/models/{id}", new { config = new { headers = new Dictionary<string, string> { ["X-Team"] = "ops" } } }))
        {
            await headersOnly.AssertOkAsync();
        }
        using (var still = await stranger.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 }))
        {
            var refusedAgain = await still.AssertErrorAsync(HttpStatusCode.BadGateway, "model_error");
            // The caller learns that the policy refused, not where the name points.
            Assert.DoesNotContain("127.0.0.1", refusedAgain.GetProperty("detail").GetString());
        }
        Assert.Empty(_internal.Requests);

        // The loopback service itself, set by an admin, is reached through the trusted pool.
        using (var moved = await admin.PatchAsJsonAsync($"/api/models/{id}", new { config = new { url = new Uri(_internal.BaseUri, "predict").ToString() } }))
        {
            await moved.AssertOkAsync();
        }
        using var trusted = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 1 });
        await trusted.AssertOkAsync();
    }

    /// <summary>Host names resolve only to what a test mapped; anything else is unknown (no DNS traffic).</summary>
    public sealed class TestResolver : IHostResolver
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IPAddress[]> _names = new(StringComparer.OrdinalIgnoreCase);

        public void Map(string host, params IPAddress[] addresses) => _names[host] = addresses;

        public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
            _names.TryGetValue(host, out var addresses)
                ? Task.FromResult(addresses)
                : Task.FromException<IPAddress[]>(new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));
    }

    public sealed class ResolvingGateway(IHostResolver resolver, IDictionary<string, string?> settings) : GatewayFactory(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton(resolver)));
        }
    }
}
