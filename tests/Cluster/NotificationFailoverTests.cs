using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Changes;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.McpProtocol;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Cluster;

/// <summary>
/// MCP notifications through silo deaths, with real processes on PostgreSQL: two silos and two gateways, sessions
/// subscribed to a resource on both gateways (some with their GET stream on the other gateway than the one they were
/// opened on), changes made through both gateways, then each original silo killed with SIGKILL in turn (a replacement
/// started first) and more changes; before the kills, both gateways' subscriptions are also removed from the stream
/// registry as a silo removes a consumer it could not reach. Every session must receive every change exactly once, and
/// readiness must say whether each gateway is subscribed and how often it had to subscribe again.
/// </summary>
[Trait("Tier", "System")]
[Collection(PostgresCollection.Name)]
public sealed class NotificationFailoverTests(PostgresServer postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private const int Sessions = 6;
    private const string Source = "failover_watch";
    private const string PromptsChanged = "notifications/prompts/list_changed";
    private const string ResourceUpdated = "notifications/resources/updated";
    private const string Resource = "datasource://" + Source;
    private static readonly TimeSpan NotifiedWithin = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _data = new();
    private readonly List<NodeProcess> _nodes = [];
    private readonly List<McpWireSession> _sessions = [];
    private Dictionary<string, string> _environment = [];

    public async Task InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync("notify_failover");
        _environment = ProcessClusterEnvironment.For(connectionString, _data.Path, "ntfy");
        _environment["MCP_Mcp__Notifications__SubscriptionCheckInterval"] = "00:00:01";
        Mcp.Cluster.DataSources.Samples.SampleDatabases.EnsureCreated(_data.Path, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Every_subscribed_session_receives_every_change_exactly_once_while_silos_are_killed()
    {
        var original = new[] { StartSilo(), StartSilo() };
        Uri[] gateways = [await StartGatewayAsync(), await StartGatewayAsync()];
        using var admin = Client(gateways[0]);
        using var adminOnB = Client(gateways[1]);
        await WaitForActiveSilosAsync(admin, 2);
        using (var created = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = Source, type = "sqlite", config = new { path = Path.Combine(_data.Path, "samples", "jobs.db") }, default_access = "read",
        }))
        {
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        var key = (await admin.PostForJsonAsync("/api/keys", new { owner = "subscriber", permissions = new[] { "read" } })).GetProperty("api_key").GetString()!;

        // Session i is opened and subscribed on gateway i % 2; its stream is on the same gateway, except for sessions
        // 2 and 3, whose stream is on the other one, where no other request of theirs ever goes.
        for (var i = 0; i < Sessions; i++)
        {
            var home = new Uri(gateways[i % 2], "/mcp");
            var session = await McpWireSession.OpenAsync(home, key);
            _sessions.Add(session);
            await session.RequestAsync(home, "resources/subscribe", new { uri = Resource });
            await session.OpenStreamAsync(new Uri(gateways[(i % 2 + i / 2) % 2], "/mcp"));
        }

        var expected = 0;
        async Task ChangeAndCountAsync(string when)
        {
            // One prompt and one refresh through each gateway: 2 prompts/list_changed and 2 resources/updated per session.
            foreach (var client in new[] { admin, adminOnB })
            {
                using (var prompt = await client.PostAsJsonAsync("/prompts", new
                {
                    name = "failover-" + Guid.NewGuid().ToString("N")[..8], messages = new[] { new { role = "user", text = "hello" } },
                }))
                {
                    await prompt.AssertOkAsync(HttpStatusCode.Created);
                }
                using (var refreshed = await client.PostAsync($"/api/datasources/{Source}/refresh", null))
                {
                    await refreshed.AssertOkAsync();
                }
            }
            expected += 2;
            foreach (var session in _sessions)
            {
                await session.WaitForAsync(PromptsChanged, expected, NotifiedWithin);
                await session.WaitForAsync(ResourceUpdated, expected, NotifiedWithin, Resource);
            }
            output.WriteLine($"{when}: every session has {expected} prompts/list_changed and {expected} resources/updated");
            // More than expected is a duplicate: none may come.
            Assert.All(_sessions, s => Assert.Equal(expected, s.Count(PromptsChanged)));
            Assert.All(_sessions, s => Assert.Equal(expected, s.Count(ResourceUpdated, Resource)));
        }

        await ChangeAndCountAsync("before any kill");

        // What a silo's stream agent does with a consumer it could not reach, done on purpose: both gateways'
        // subscriptions leave the stream registry and nobody tells them. They must notice, subscribe again and say so.
        var readiness = gateways.Select(_ => new List<string>()).ToArray();
        var droppedAt = DateTimeOffset.UtcNow;
        await DropGatewaySubscriptionsAsync(expected: gateways.Length);
        for (var g = 0; g < gateways.Length; g++)
        {
            await WaitUntilConfirmedAsync(gateways[g], droppedAt, readiness[g], renewed: true);
        }
        await ChangeAndCountAsync("after the cluster dropped both gateways' subscriptions");

        foreach (var victim in original)
        {
            StartSilo();
            await WaitForActiveSilosAsync(admin, 3);
            victim.Kill();
            var killedAt = DateTimeOffset.UtcNow;
            output.WriteLine($"killed {victim.Name} at {killedAt:HH:mm:ss.fff}");
            await WaitForActiveSilosAsync(admin, 2);
            // Changes are made once both gateways are ready and have confirmed their subscription after the cluster
            // settled: a check that ran before the kill proves nothing.
            var settledAt = DateTimeOffset.UtcNow;
            for (var g = 0; g < gateways.Length; g++)
            {
                await WaitUntilConfirmedAsync(gateways[g], settledAt, readiness[g]);
            }
            await ChangeAndCountAsync($"after killing {victim.Name}");
        }

        // A last change: a duplicate of any earlier one would have come before it.
        using (var last = await admin.PostAsJsonAsync("/prompts", new { name = "failover-last", messages = new[] { new { role = "user", text = "hello" } } }))
        {
            await last.AssertOkAsync(HttpStatusCode.Created);
        }
        foreach (var session in _sessions)
        {
            await session.WaitForAsync(PromptsChanged, expected + 1, NotifiedWithin);
            Assert.Equal(expected + 1, session.Count(PromptsChanged));
            Assert.Equal(expected, session.Count(ResourceUpdated, Resource));
        }

        // Readiness said what happened: each gateway that renewed its subscription (it logs so) reports the renewal.
        for (var g = 0; g < gateways.Length; g++)
        {
            var node = _nodes.Single(n => n.Name == $"gateway-{gateways[g].Port}");
            var renewals = node.Output.Count(l => l.Contains("Subscribed to catalog changes again", StringComparison.Ordinal));
            output.WriteLine($"{node.Name}: {renewals} renewal(s); readiness seen: {string.Join(" | ", readiness[g].Distinct())}");
            var final = await CatalogReadinessAsync(gateways[g]);
            Assert.Equal(HttpStatusCode.OK, final.Status);
            Assert.StartsWith("ok: subscribed since", final.Check);
            Assert.True(renewals >= 1, $"{node.Name} never logged a renewal");
            Assert.Contains($"resubscribed {renewals} time(s)", final.Check);
        }
    }

    /// <summary>
    /// Polls the gateway's readiness until it answers 200 with the catalog subscription confirmed after
    /// <paramref name="after"/>; every answer seen is recorded.
    /// </summary>
    private static async Task WaitUntilConfirmedAsync(Uri gateway, DateTimeOffset after, List<string> seen, bool renewed = false)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(60));
        while (true)
        {
            var (status, check) = await CatalogReadinessAsync(gateway);
            seen.Add($"{(int)status} {check}");
            var confirmed = System.Text.RegularExpressions.Regex.Match(check, @"last confirmed (\S+) ");
            if (status == HttpStatusCode.OK && check.StartsWith("ok: ", StringComparison.Ordinal) && confirmed.Success
                && DateTimeOffset.Parse(confirmed.Groups[1].Value, CultureInfo.InvariantCulture) > after
                && (!renewed || check.Contains("resubscribed", StringComparison.Ordinal)))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{gateway} did not confirm its subscription after {after:HH:mm:ss.fff}: {string.Join(" | ", seen.TakeLast(5))}");
            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Removes the gateways' catalog-change subscriptions from the stream registry through an Orleans client of the
    /// cluster (the silos' own consumers stay), as the stream agent removes a consumer it could not reach.
    /// </summary>
    private async Task DropGatewaySubscriptionsAsync(int expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:Mode"] = "Postgres",
            ["Cluster:ClusterId"] = _environment["MCP_Cluster__ClusterId"],
            ["Cluster:ServiceId"] = _environment["MCP_Cluster__ServiceId"],
            ["Cluster:Postgres:ConnectionString"] = _environment["MCP_Cluster__Postgres__ConnectionString"],
            ["Dashboard:Enabled"] = "false",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseMcpClusterClient(builder.Configuration));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var registry = host.Services.GetRequiredService<IStreamSubscriptionManagerAdmin>()
                .GetStreamSubscriptionManager(StreamSubscriptionManagerType.ExplicitSubscribeOnly);
            var stream = StreamId.Create(ChangeStreams.Namespace, ChangeStreams.Key);
            var all = (await registry.GetSubscriptions(ChangeStreams.Provider, stream)).ToList();
            output.WriteLine("catalog-change consumers: " + string.Join(", ", all.Select(s => s.GrainId)));
            // A silo's own listener is the client hosted in that silo; the gateways are external clients.
            var gateways = all.Where(s => s.GrainId.Type.ToString() == "sys.client"
                && !s.GrainId.Key.ToString()!.StartsWith("hosted-", StringComparison.Ordinal)).ToList();
            Assert.Equal(expected, gateways.Count);
            foreach (var subscription in gateways)
            {
                await registry.RemoveSubscription(ChangeStreams.Provider, stream, subscription.SubscriptionId);
            }
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, string Check)> CatalogReadinessAsync(Uri gateway)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(30) };
        try
        {
            using var response = await http.GetAsync("/health/ready");
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            // 200 and 503 (the error shape) both carry the checks.
            var check = body.TryGetProperty("checks", out var checks) && checks.TryGetProperty("catalog_changes", out var entry) ? entry.GetString()! : body.ToString();
            return (response.StatusCode, check);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (0, e.GetType().Name);
        }
    }

    private NodeProcess StartSilo()
    {
        var silo = NodeProcess.StartSilo(_environment, out _);
        _nodes.Add(silo);
        return silo;
    }

    private async Task<Uri> StartGatewayAsync()
    {
        var gateway = NodeProcess.StartGateway(_environment, out var address);
        _nodes.Add(gateway);
        await gateway.WaitUntilReadyAsync(address, TimeSpan.FromSeconds(90));
        return address;
    }

    private static async Task WaitForActiveSilosAsync(HttpClient admin, int count)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                var silos = await admin.GetFromJsonAsync<JsonElement>("/api/cluster/silos");
                if (silos.GetProperty("silos").EnumerateArray().Count(s => s.GetProperty("status").GetString() == "active") == count)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // 503 while the cluster fails over.
            }
            Assert.True(DateTime.UtcNow < deadline, $"the cluster did not reach {count} active silos");
            await Task.Delay(250);
        }
    }

    private static HttpClient Client(Uri gateway)
    {
        var client = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-API-Key", GatewayFactory.AdminKey);
        return client;
    }

    public async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.DisposeAsync();
        }
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
        _data.Dispose();
    }
}
