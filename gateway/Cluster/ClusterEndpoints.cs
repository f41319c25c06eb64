using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Models.Hosted;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Mcp.Cluster.Gateway.Cluster;

/// <summary>What an operator scaling the cluster needs to see: which silos are members and what each one hosts.</summary>
public static class ClusterEndpoints
{
    public static IEndpointRouteBuilder MapClusterEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/cluster").WithTags("Cluster")
            .MapGet("/silos", SilosAsync)
            .RequireApiKey(Mcp.Cluster.ApiKeys.Permissions.Admin)
            .WithName("ListSilos")
            .WithSummary("Silos in the membership table with their status and grain activations (admin); ?include_dead=true lists dead silos too");
        routes.MapGroup("/api/cluster").WithTags("Cluster")
            .MapGet("/placement", PlacementAsync)
            .RequireApiKey(Mcp.Cluster.ApiKeys.Permissions.Admin)
            .WithName("GetPlacement")
            .WithSummary("What each live silo offers hosted models (GPUs, model memory) and the sessions placed on it (admin)");
        return routes;
    }

    private static async Task<Ok<SiloListResponse>> SilosAsync(IGrainFactory grains, [FromQuery(Name = "include_dead")] bool? includeDead)
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        var hosts = await management.GetDetailedHosts(onlyActive: includeDead != true);
        var active = hosts.Where(h => h.Status == SiloStatus.Active).Select(h => h.SiloAddress).ToArray();
        var statistics = active.Length > 0 ? await management.GetSimpleGrainStatistics(active) : [];
        var bySilo = statistics.GroupBy(s => s.SiloAddress).ToDictionary(
            g => g.Key,
            g => g.GroupBy(s => ShortTypeName(s.GrainType)).ToDictionary(t => t.Key, t => t.Sum(s => s.ActivationCount)));
        var silos = hosts
            .OrderBy(h => h.SiloAddress.Endpoint.ToString(), StringComparer.Ordinal)
            .Select(h =>
            {
                var types = bySilo.GetValueOrDefault(h.SiloAddress) ?? new Dictionary<string, int>();
                return new SiloResponse(h.SiloAddress.ToParsableString(), h.SiloName, h.HostName, h.Status.ToString().ToLowerInvariant(),
                    new DateTimeOffset(h.StartTime, TimeSpan.Zero), new DateTimeOffset(h.IAmAliveTime, TimeSpan.Zero), types.Values.Sum(), types);
            })
            .ToList();
        return TypedResults.Ok(new SiloListResponse(silos));
    }

    private static async Task<Ok<PlacementResponse>> PlacementAsync(IGrainFactory grains)
    {
        var snapshot = await grains.GetGrain<IModelPlacementGrain>(0).GetSnapshotAsync();
        return TypedResults.Ok(new PlacementResponse(snapshot.Silos
            .Select(s => new SiloPlacementResponse(s.Silo.ToParsableString(), s.Gpus, s.ModelMemoryBytes, s.ReservedBytes, s.Sessions))
            .ToList()));
    }

    // "Mcp.Cluster.ApiKeys.ApiKeyGrain,Mcp.Cluster.Grains" → "ApiKeyGrain"
    private static string ShortTypeName(string grainType)
    {
        var type = grainType.Split(',')[0];
        return type[(type.LastIndexOf('.') + 1)..];
    }

    public sealed record SiloListResponse(IReadOnlyList<SiloResponse> Silos);

    public sealed record SiloResponse(
        string Address, string Name, string Host, string Status, DateTimeOffset StartedAt, DateTimeOffset LastHeartbeatAt,
        int Activations, IReadOnlyDictionary<string, int> GrainTypes);

    public sealed record PlacementResponse(IReadOnlyList<SiloPlacementResponse> Silos);

    public sealed record SiloPlacementResponse(string Address, int Gpus, long ModelMemoryBytes, long ReservedBytes, IReadOnlyList<string> Sessions);
}
