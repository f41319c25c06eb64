using Mcp.Cluster.Models;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class ModelVersionComparerTests
{
    [Theory]
    [InlineData("1.10.0", "1.9.0")]
    [InlineData("2.0.0", "2.0.0-rc1")]
    [InlineData("2.0.0-rc2", "2.0.0-rc1")]
    [InlineData("v3", "2.9.9")]
    [InlineData("1.0.1", "1.0")]
    [InlineData("2024.05", "2024.4")]
    [InlineData("1.0.0-beta", "1.0.0-alpha")]
    public void Orders_versions_as_people_read_them(string higher, string lower)
    {
        Assert.True(ModelVersionComparer.Instance.Compare(higher, lower) > 0);
        Assert.True(ModelVersionComparer.Instance.Compare(lower, higher) < 0);
    }

    [Fact]
    public void Different_spellings_of_the_same_number_stay_distinct_versions()
    {
        Assert.NotEqual(0, ModelVersionComparer.Instance.Compare("1.0", "1.0.0"));
        Assert.Equal(0, ModelVersionComparer.Instance.Compare("1.0.0", "1.0.0"));
    }
}
