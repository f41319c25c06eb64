using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Health;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Health;

public static class HealthEndpoints
{
    /// <summary>Health checks with this tag are part of <c>/health/ready</c>.</summary>
    public const string ReadinessTag = "ready";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");

        group.MapGet("/", () => TypedResults.Ok(new LivenessResponse("ok")))
            .WithName("Liveness")
            .WithSummary("Liveness: the gateway process is serving requests");

        group.MapGet("/ready", ReadyAsync)
            .WithName("Readiness")
            .WithSummary("Readiness: the cluster answers, its storage is reachable and this gateway receives catalog changes");

        group.MapGet("/runtime", RuntimeAsync)
            .RequireApiKey(Mcp.Cluster.ApiKeys.Permissions.Admin)
            .WithName("RuntimeDiagnostics")
            .WithSummary("Memory, threads and grain activations of this gateway process (admin); ?collect=true runs a full GC first");

        return routes;
    }

    private static async Task<Ok<RuntimeResponse>> RuntimeAsync(IGrainFactory grains, [Microsoft.AspNetCore.Mvc.FromQuery] bool? collect)
    {
        if (collect == true)
        {
            // A full blocking, compacting collection: the numbers then show live memory only. Pauses the process.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        var gc = GC.GetGCMemoryInfo();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return TypedResults.Ok(new RuntimeResponse(
            process.WorkingSet64,
            GC.GetTotalMemory(forceFullCollection: false),
            gc.HeapSizeBytes,
            gc.FragmentedBytes,
            gc.TotalCommittedBytes,
            gc.GenerationInfo.ToArray().Select(g => g.SizeAfterBytes).ToArray(),
            process.Threads.Count,
            ThreadPool.ThreadCount,
            GC.GetTotalAllocatedBytes(),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)],
            Math.Round(GC.GetTotalPauseDuration().TotalSeconds, 3),
            System.Runtime.GCSettings.IsServerGC ? "server" : "workstation",
            statistics.GroupBy(s => s.GrainType).ToDictionary(g => g.Key, g => g.Sum(s => s.ActivationCount))));
    }

    public sealed record RuntimeResponse(
        long WorkingSetBytes,
        long ManagedHeapBytes,
        long GcHeapSizeBytes,
        long GcFragmentedBytes,
        long GcCommittedBytes,
        long[] GenerationSizesAfterLastGc,
        int Threads,
        int ThreadPoolThreads,
        long AllocatedBytesTotal,
        int[] Collections,
        double GcPauseSecondsTotal,
        string GcMode,
        IReadOnlyDictionary<string, int> Activations);

    private static async Task<Results<Ok<ReadinessResponse>, JsonHttpResult<ApiError>>> ReadyAsync(
        IGrainFactory grains, HealthCheckService gatewayChecks, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        ClusterHealthReport report;
        try
        {
            report = await grains.GetGrain<IClusterHealthGrain>(0).CheckAsync()
                .WaitAsync(options.Value.ClusterCallTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady,
                $"The cluster did not answer: {ex.GetType().Name}.");
        }
        // This gateway's own parts (its subscription to catalog changes), beside the cluster's storage.
        var gateway = await gatewayChecks.CheckHealthAsync(r => r.Tags.Contains(ReadinessTag), cancellationToken);
        var checks = new Dictionary<string, string>(report.Checks, StringComparer.Ordinal);
        foreach (var (name, entry) in gateway.Entries)
        {
            checks[name] = entry.Status switch
            {
                HealthStatus.Healthy => "ok: ",
                HealthStatus.Degraded => "degraded: ",
                _ => "failed: ",
            } + (entry.Description ?? entry.Exception?.Message ?? "");
        }
        if (!report.Healthy)
        {
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady,
                "Cluster storage is not reachable.", new() { ["silo"] = report.Silo, ["checks"] = checks });
        }
        if (gateway.Status == HealthStatus.Unhealthy)
        {
            var failing = gateway.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy).Select(e => $"{e.Key}: {e.Value.Description}");
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady,
                $"This gateway is not ready: {string.Join("; ", failing)}.", new() { ["silo"] = report.Silo, ["checks"] = checks });
        }
        return TypedResults.Ok(new ReadinessResponse(gateway.Status == HealthStatus.Degraded ? "degraded" : "ready", report.Silo, checks));
    }

    public sealed record LivenessResponse(string Status);

    public sealed record ReadinessResponse(string Status, string Silo, IReadOnlyDictionary<string, string> Checks);
}
