using Mcp.Cluster.Usage;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class RouteLabelTests
{
    [Theory]
    [InlineData("POST", "/api/keys/", "POST /api/keys")]
    [InlineData("GET", "/mcp/", "GET /mcp")]
    [InlineData("GET", "/v1/models", "GET /v1/models")]
    [InlineData("GET", "/v1/models/{model}", "GET /v1/models/{model}")]
    [InlineData("GET", "/", "GET /")]
    public void A_label_is_the_route_as_a_user_writes_it(string method, string template, string label) =>
        Assert.Equal(label, RouteLabel.Of(method, template));

    [Theory]
    [InlineData("POST /api/keys/", "POST /api/keys")]
    [InlineData("POST /completions/", "POST /completions")]
    [InlineData("GET /api/models/{model}", "GET /api/models/{model}")]
    [InlineData("GET /", "GET /")]
    [InlineData("WS /ws/completions", "WS /ws/completions")]
    [InlineData("(unmatched)", "(unmatched)")]
    [InlineData("(other)", "(other)")]
    public void Labels_stored_before_normalization_read_as_todays(string stored, string read) =>
        Assert.Equal(read, RouteLabel.Normalize(stored));

    [Fact]
    public void Counts_under_old_and_new_spellings_are_added_not_lost()
    {
        var folded = RouteLabel.Fold(new Dictionary<string, long>
        {
            ["POST /api/keys/"] = 3, ["POST /api/keys"] = 2, ["GET /mcp/"] = 1, ["(other)"] = 4,
        });
        Assert.Equal(new Dictionary<string, long> { ["POST /api/keys"] = 5, ["GET /mcp"] = 1, ["(other)"] = 4 }, folded);
    }
}
