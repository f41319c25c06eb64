using Mcp.Cluster.Models.Hosted.Placement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mcp.Cluster.Tests.Unit.Hosted;

/// <summary><c>Silo:Resources</c> as an operator writes it, and what a bad value says when the silo starts.</summary>
[Trait("Tier", "Unit")]
public sealed class PlacementOptionsTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddHostedModelPlacement(configuration).BuildServiceProvider();
    }

    [Fact]
    public void Gpus_and_a_model_memory_size_are_read_from_silo_resources()
    {
        using var services = Services(new() { ["Silo:Resources:Gpu"] = "2", ["Silo:Resources:ModelMemory"] = "8GB" });
        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptions<SiloResourceOptions>>().Value;
        Assert.Equal(2, options.Gpu);
        Assert.Equal(8_000_000_000, options.ModelMemoryBytes());
    }

    [Fact]
    public void Unset_the_silo_offers_no_gpu_and_half_of_its_available_memory()
    {
        using var services = Services([]);
        services.GetRequiredService<IStartupValidator>().Validate();
        var options = services.GetRequiredService<IOptions<SiloResourceOptions>>().Value;
        Assert.Equal(0, options.Gpu);
        Assert.Equal(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, options.ModelMemoryBytes());
        Assert.Equal(TimeSpan.FromSeconds(30), options.AnnounceInterval);
        Assert.Equal(TimeSpan.FromMinutes(2), services.GetRequiredService<IOptions<ModelPlacementOptions>>().Value.PendingTimeout);
    }

    [Fact]
    public void A_bare_number_is_bytes()
    {
        using var services = Services(new() { ["Silo:Resources:ModelMemory"] = "1500000" });
        services.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(1_500_000, services.GetRequiredService<IOptions<SiloResourceOptions>>().Value.ModelMemoryBytes());
    }

    [Theory]
    [InlineData("Silo:Resources:ModelMemory", "lots", "Silo:Resources:ModelMemory must be a size such as \"8GB\", \"512MiB\" or a number of bytes (it is 'lots').")]
    [InlineData("Silo:Resources:Gpu", "-1", "Silo:Resources:Gpu must not be negative. (it is '-1')")]
    [InlineData("Silo:Resources:AnnounceInterval", "00:00:00", "Silo:Resources:AnnounceInterval must be greater than zero. (it is '00:00:00')")]
    [InlineData("Models:Placement:PendingTimeout", "00:00:00", "Models:Placement:PendingTimeout must be greater than zero. (it is '00:00:00')")]
    public void A_bad_value_stops_the_start_naming_the_setting(string key, string value, string message)
    {
        using var services = Services(new() { [key] = value });
        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(message, failure.Failures);
    }
}
