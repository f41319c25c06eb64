using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Startup;

/// <summary>Issue 18: a bad setting stops the gateway at start, with a message that names the setting.</summary>
[Trait("Tier", "Api")]
public sealed class BadSettingsTests
{
    [Theory]
    [InlineData("ApiKeys:UsageFlushInterval", "-00:00:05")]
    [InlineData("Models:MaxBatchSize", "0")]
    [InlineData("Gateway:SiloLossCheck:Interval", "00:00:00")]
    public async Task The_gateway_does_not_start_and_names_the_setting(string setting, string value)
    {
        using var data = new TempDirectory();
        var gateway = new GatewayFactory(new Dictionary<string, string?> { [setting] = value }, data.Path);
        Exception? failure;
        try
        {
            failure = Record.Exception(() => gateway.CreateClient());
        }
        finally
        {
            // A silo whose host never started refuses to be stopped; that is the point of the test, not a fault.
            await Record.ExceptionAsync(() => gateway.DisposeAsync().AsTask());
        }
        Assert.NotNull(failure);
        Assert.Contains($"{setting} must be greater than zero", failure.ToString());
    }
}
