using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Security;
using Mcp.Cluster.Health;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Gateway.Health;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/health").WithTags("Health");

        group.MapGet("/", () => TypedResults.Ok(new LivenessResponse("ok")))
            .WithName("Liveness")
            .WithSummary("Liveness: the gateway process is serving requests");

        group.MapGet("/ready", ReadyAsync)
            .WithName("Readiness")
            .WithSummary("Readiness: the cluster answers and its storage is reachable");

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
        IGrainFactory grains, IOptions<GatewayOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var report = await grains.GetGrain<IClusterHealthGrain>(0).CheckAsync()
                .WaitAsync(options.Value.ClusterCallTimeout, cancellationToken);
            if (report.Healthy)
            {
                return TypedResults.Ok(new ReadinessResponse("ready", report.Silo, report.Checks));
            }
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady,
                "Cluster storage is not reachable.", new() { ["silo"] = report.Silo, ["checks"] = report.Checks });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ApiErrors.Result(StatusCodes.Status503ServiceUnavailable, ErrorCodes.NotReady,
                $"The cluster did not answer: {ex.GetType().Name}.");
        }
    }

    public sealed record LivenessResponse(string Status);

    public sealed record ReadinessResponse(string Status, string Silo, IReadOnlyDictionary<string, string> Checks);
}
