using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.AdminConsole;

/// <summary>The chart library the console serves is uPlot as npm publishes it, not a copy someone edited.</summary>
[Trait("Tier", "System")]
public sealed class VendoredChartLibraryTests
{
    [Fact]
    public async Task The_vendored_chart_library_is_the_npm_package_byte_for_byte()
    {
        await NodeClients.EnsureInstalledAsync();
        var vendored = Path.Combine(CommandLine.RepositoryRoot, "gateway", "AdminConsole", "wwwroot", "vendor", "uplot");
        var package = Path.Combine(NodeClients.Directory, "node_modules", "uplot");
        Assert.Equal("1.6.32", JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(package, "package.json"))).RootElement.GetProperty("version").GetString());
        foreach (var (ours, theirs) in new[] { ("uPlot.iife.min.js", "dist/uPlot.iife.min.js"), ("uPlot.min.css", "dist/uPlot.min.css"), ("LICENSE.txt", "LICENSE") })
        {
            var served = await File.ReadAllBytesAsync(Path.Combine(vendored, ours));
            var published = await File.ReadAllBytesAsync(Path.Combine(package, theirs));
            Assert.True(served.SequenceEqual(published), $"{ours} differs from uplot's {theirs}");
        }
    }
}
