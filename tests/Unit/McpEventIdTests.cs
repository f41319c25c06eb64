using Mcp.Cluster.Gateway.McpProtocol;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>The event ids of resumable SSE streams: random stream tokens, strict parsing, and the options they depend on.</summary>
[Trait("Tier", "Unit")]
public sealed class McpEventIdTests
{
    [Fact]
    public void An_id_round_trips_and_tokens_do_not_repeat()
    {
        var token = McpEventId.NewToken();
        Assert.True(McpEventId.TryParse(McpEventId.Format(token, 17), out var parsed, out var sequence));
        Assert.Equal(token, parsed);
        Assert.Equal(17, sequence);
        Assert.Equal(1000, Enumerable.Range(0, 1000).Select(_ => McpEventId.NewToken()).Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.0")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.-1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.+1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA. 1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.1 ")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.١")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.99999999999999999999")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA.1.2")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA=.1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA+.1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA/A.1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA.1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA.1")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAB.1")]
    public void Anything_but_a_token_and_a_positive_sequence_is_refused(string? eventId)
    {
        Assert.False(McpEventId.TryParse(eventId, out _, out _));
    }

    [Fact]
    public void The_largest_sequence_parses()
    {
        Assert.True(McpEventId.TryParse("AAAAAAAAAAAAAAAAAAAAAA." + long.MaxValue, out _, out var sequence));
        Assert.Equal(long.MaxValue, sequence);
    }

    [Fact]
    public void Stream_settings_that_cannot_work_are_refused()
    {
        var validator = new McpEventStreamOptionsValidator();
        Assert.True(validator.Validate(null, new McpOptions()).Succeeded);
        var bad = new McpOptions
        {
            SseRetryInterval = TimeSpan.Zero, SseMaxEventsPerStream = 0, SseMaxBytesPerStream = 0,
            SseCompletedStreamRetention = TimeSpan.Zero, SsePollToolCallsAfter = TimeSpan.FromSeconds(-1),
        };
        var result = validator.Validate(null, bad);
        Assert.True(result.Failed);
        Assert.Equal(5, result.Failures!.Count());
    }
}
