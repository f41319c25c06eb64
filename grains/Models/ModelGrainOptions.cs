using Mcp.Cluster.Hosting;

namespace Mcp.Cluster.Models;

public sealed class ModelGrainOptions
{
    public const string Section = "Models";

    /// <summary>How often each model's health loop runs; <c>config.health_check_interval_seconds</c> overrides it.</summary>
    [Positive]
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    [Positive]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Failed health checks in a row before a model is put in <c>error</c>; one passing check brings it back.</summary>
    [Positive]
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Failed predictions in a row that open the circuit breaker.</summary>
    [Positive]
    public int CircuitFailureThreshold { get; set; } = 5;

    /// <summary>How long an open breaker refuses traffic before letting one trial request through.</summary>
    [Positive]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Request counters are written behind at this interval (and on deactivation).</summary>
    [Positive]
    public TimeSpan StatsFlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long an executor follows a plan before asking its model grain again: the longest a PATCH, a delete or a
    /// breaker opened on another silo takes to reach this silo's executor (plus one call).
    /// </summary>
    [Positive]
    public TimeSpan ExecutorPlanLease { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The least time between two reports of successful calls from one executor to its model grain (failures go at
    /// once). Zero: a report leaves as soon as the previous one is answered, carrying every call finished meanwhile.
    /// </summary>
    [NonNegative]
    public TimeSpan ExecutorReportInterval { get; set; } = TimeSpan.Zero;

    [Positive]
    public int MetricsRetentionDays { get; set; } = 90;

    [Positive]
    public int MaxSchemaBytes { get; set; } = 64 * 1024;

    [Positive]
    public int MaxConfigBytes { get; set; } = 16 * 1024;

    /// <summary>Generations of one batch run at most this many at a time against the provider.</summary>
    [Positive]
    public int BatchConcurrency { get; set; } = 4;

    /// <summary>Registers the built-in sentiment model at first start in local mode.</summary>
    public bool SeedBuiltInModels { get; set; } = true;
}
