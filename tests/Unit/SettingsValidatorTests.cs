using Mcp.Cluster.Alerts;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Audit;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Completions;
using Mcp.Cluster.Gateway.Http;
using Mcp.Cluster.Gateway.Usage;
using Mcp.Cluster.Hosting;
using Mcp.Cluster.Models;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>Issue 18: every bound setting is checked at start, and a refusal names the setting as it is configured.</summary>
[Trait("Tier", "Unit")]
public sealed class SettingsValidatorTests
{
    [Fact]
    public void A_negative_interval_is_refused_by_its_configuration_key()
    {
        var result = new SettingsValidator<ApiKeyGrainOptions>(ApiKeyGrainOptions.Section)
            .Validate(null, new ApiKeyGrainOptions { UsageFlushInterval = TimeSpan.FromSeconds(-1) });
        Assert.True(result.Failed);
        Assert.Contains("ApiKeys:UsageFlushInterval must be greater than zero", result.FailureMessage);
    }

    [Fact]
    public void A_zero_batch_size_is_refused_by_its_configuration_key()
    {
        var result = new SettingsValidator<AuditLogOptions>(AuditLogOptions.Section).Validate(null, new AuditLogOptions { MaxBatchSize = 0 });
        Assert.True(result.Failed);
        Assert.Contains("DataSources:Audit:MaxBatchSize must be greater than zero", result.FailureMessage);
    }

    [Fact]
    public void A_rate_outside_zero_to_one_is_refused()
    {
        var result = new SettingsValidator<AlertOptions>(AlertOptions.Section).Validate(null, new AlertOptions { ErrorRate = 1.5 });
        Assert.True(result.Failed);
        Assert.Contains("Alerts:ErrorRate", result.FailureMessage);
    }

    [Fact]
    public void An_empty_cluster_id_is_refused()
    {
        var result = new SettingsValidator<McpClusterOptions>(McpClusterOptions.Section).Validate(null, new McpClusterOptions { ClusterId = "" });
        Assert.True(result.Failed);
        Assert.Contains("Cluster:ClusterId", result.FailureMessage);
    }

    [Fact]
    public void Zero_is_allowed_where_it_means_none()
    {
        Assert.True(new SettingsValidator<Mcp.Cluster.Models.Backends.ModelBackendOptions>("Models:Backends")
            .Validate(null, new Mcp.Cluster.Models.Backends.ModelBackendOptions { DefaultMaxRetries = 0 }).Succeeded);
    }

    [Fact]
    public void Every_default_is_valid()
    {
        AssertValid(new ApiKeyGatewayOptions());
        AssertValid(new ApiKeyGrainOptions());
        AssertValid(new AlertOptions());
        AssertValid(new AuditLogOptions());
        AssertValid(new CompletionOptions());
        AssertValid(new GatewayOptions());
        AssertValid(new UsageOptions());
        AssertValid(new McpClusterOptions());
        AssertValid(new ModelGrainOptions());
        AssertValid(new Mcp.Cluster.DataSources.DataSourceGrainOptions());
        AssertValid(new Mcp.Cluster.Gateway.Logs.RecentLogsOptions());
        AssertValid(new Mcp.Cluster.Gateway.Cluster.SiloLossGuardOptions());
    }

    private static void AssertValid<T>(T options) where T : class
    {
        var result = new SettingsValidator<T>("Section").Validate(null, options);
        Assert.True(result.Succeeded, $"{typeof(T).Name}: {result.FailureMessage}");
    }
}
