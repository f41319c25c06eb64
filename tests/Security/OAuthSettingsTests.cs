using Mcp.Cluster.Gateway.Hosting;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 21 (3): the issuer whose keys the gateway trusts comes only from configuration and must be reached over https
/// (plain http only to a loopback address); settings that do not hold together stop the start and name the setting.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OAuthSettingsTests
{
    [Theory]
    [InlineData("http://idp.example.com", "https://mcp.example.com/mcp", "OAuth:Authority")]
    [InlineData("http://10.0.0.5", "https://mcp.example.com/mcp", "OAuth:Authority")]
    [InlineData("https://user:pw@idp.example.com", "https://mcp.example.com/mcp", "OAuth:Authority")]
    [InlineData("https://idp.example.com?x=1", "https://mcp.example.com/mcp", "OAuth:Authority")]
    [InlineData("file:///etc/passwd", "https://mcp.example.com/mcp", "OAuth:Authority")]
    [InlineData("https://idp.example.com", null, "OAuth:Resource")]
    [InlineData("https://idp.example.com", "mcp.example.com/mcp", "OAuth:Resource")]
    public async Task An_unsafe_or_incomplete_authorization_server_setting_stops_the_start(string authority, string? resource, string named)
    {
        var failure = await ValidateAsync(new() { ["OAuth:Authority"] = authority, ["OAuth:Resource"] = resource });
        Assert.NotNull(failure);
        Assert.Contains(named, failure!.Message);
    }

    [Theory]
    [InlineData("OAuth:ReadScopes:0", "mcp read")]
    [InlineData("OAuth:RateLimit", "lots")]
    [InlineData("OAuth:ClockSkew", "01:00:00")]
    public async Task A_bad_mapping_or_plan_stops_the_start(string setting, string value)
    {
        var failure = await ValidateAsync(new()
        {
            ["OAuth:Authority"] = "https://idp.example.com",
            ["OAuth:Resource"] = "https://mcp.example.com/mcp",
            [setting] = value,
        });
        Assert.NotNull(failure);
        Assert.Contains(setting.Split(':')[1], failure!.Message);
    }

    [Theory]
    [InlineData("https://idp.example.com/realms/mcp")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080")]
    public async Task Https_or_loopback_issuers_pass(string authority)
    {
        Assert.Null(await ValidateAsync(new() { ["OAuth:Authority"] = authority, ["OAuth:Resource"] = "https://mcp.example.com/mcp" }));
    }

    private static async Task<OptionsValidationException?> ValidateAsync(Dictionary<string, string?> settings)
    {
        using var data = new TempDirectory();
        var builder = WebApplication.CreateBuilder();
        settings["Cluster:DataDirectory"] = data.Path;
        settings["Cluster:SiloPort"] = FreePort.Next().ToString();
        settings["Cluster:GatewayPort"] = FreePort.Next().ToString();
        settings["ApiKeys:HashSecret"] = GatewayFactory.HashSecret;
        settings["Dashboard:Enabled"] = "false";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddMcpGateway();
        var app = builder.Build();
        try
        {
            return Record.Exception(() => app.Services.GetRequiredService<IStartupValidator>().Validate()) as OptionsValidationException;
        }
        finally
        {
            await Record.ExceptionAsync(() => app.DisposeAsync().AsTask());
        }
    }
}
