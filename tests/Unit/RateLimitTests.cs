using Mcp.Cluster.ApiKeys;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class RateLimitParsingTests
{
    [Theory]
    [InlineData("100/minute", 100, 60, "100/minute")]
    [InlineData("5/second", 5, 1, "5/second")]
    [InlineData(" 20 / hour ", 20, 3600, "20/hour")]
    [InlineData("1000/day", 1000, 86400, "1000/day")]
    [InlineData("10/30s", 10, 30, "10/30s")]
    [InlineData("7/m", 7, 60, "7/minute")]
    public void Parses_and_formats(string text, int limit, int seconds, string formatted)
    {
        Assert.True(RateLimit.TryParse(text, out var rate, out var error), error);
        Assert.Equal(limit, rate!.Limit);
        Assert.Equal(TimeSpan.FromSeconds(seconds), rate.Window);
        Assert.Equal(formatted, rate.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("100")]
    [InlineData("minute/100")]
    [InlineData("-1/minute")]
    [InlineData("0/minute")]
    [InlineData("1000001/minute")]
    [InlineData("10/fortnight")]
    [InlineData("10/0s")]
    [InlineData("10/86401s")]
    [InlineData("1e3/minute")]
    public void Refuses_malformed_or_out_of_range(string? text)
    {
        Assert.False(RateLimit.TryParse(text, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }
}
