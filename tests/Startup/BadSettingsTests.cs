using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Startup;

/// <summary>
/// Issue 18: a bad setting stops the gateway at start, with a message that names the setting. The gateway is composed
/// as Program composes it, and the start-up validation the host runs first in StartAsync is run on it; nothing listens.
/// </summary>
[Trait("Tier", "Api")]
public sealed class BadSettingsTests
{
    [Theory]
    [InlineData("ApiKeys:UsageFlushInterval", "-00:00:05")]
    [InlineData("Models:MaxBatchSize", "0")]
    [InlineData("Gateway:SiloLossCheck:Interval", "00:00:00")]
    [InlineData("DataSources:Audit:MaxBatchSize", "0")]
    [InlineData("Alerts:EvaluationInterval", "-00:00:01")]
    public async Task The_gateway_does_not_start_and_names_the_setting(string setting, string value)
    {
        using var data = new TempDirectory();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = data.Path,
            ["Cluster:SiloPort"] = FreePort.Next().ToString(),
            ["Cluster:GatewayPort"] = FreePort.Next().ToString(),
            ["ApiKeys:AdminKey"] = GatewayFactory.AdminKey,
            ["ApiKeys:HashSecret"] = GatewayFactory.HashSecret,
            ["Dashboard:Enabled"] = "false",
            [setting] = value,
        });
        builder.AddMcpGateway();
        var app = builder.Build();
        try
        {
            var failure = Assert.Throws<OptionsValidationException>(() => app.Services.GetRequiredService<IStartupValidator>().Validate());
            Assert.Contains($"{setting} must be greater than zero", failure.Message);
        }
        finally
        {
            await Record.ExceptionAsync(() => app.DisposeAsync().AsTask());
        }
    }

    [Fact]
    public async Task The_defaults_pass()
    {
        using var data = new TempDirectory();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Cluster:DataDirectory"] = data.Path,
            ["ApiKeys:HashSecret"] = GatewayFactory.HashSecret,
        });
        builder.AddMcpGateway();
        var app = builder.Build();
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        finally
        {
            await Record.ExceptionAsync(() => app.DisposeAsync().AsTask());
        }
    }
}
