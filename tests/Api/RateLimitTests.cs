using System.Net;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class RateLimitTests(SharedGatewayFactory gateway)
{
    [Fact]
    public async Task Every_authenticated_response_carries_rate_limit_headers_and_limit_plus_one_gets_429()
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "limited", rate_limit = "5/minute" });
        using var client = gateway.CreateClient(apiKey);
        long reset = 0;
        for (var i = 1; i <= 5; i++)
        {
            using var ok = await client.GetAsync("/api/keys/me");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(5, ok.IntHeader("X-RateLimit-Limit"));
            Assert.Equal(5 - i, ok.IntHeader("X-RateLimit-Remaining"));
            reset = long.Parse(Assert.Single(ok.Headers.GetValues("X-RateLimit-Reset")));
        }
        var resetAt = DateTimeOffset.FromUnixTimeSeconds(reset);
        Assert.InRange(resetAt, DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(61));

        using var limited = await client.GetAsync("/api/keys/me");
        var body = await limited.AssertErrorAsync(HttpStatusCode.TooManyRequests, "rate_limit_exceeded");
        var retryAfter = limited.Headers.RetryAfter!.Delta!.Value.TotalSeconds;
        Assert.InRange(retryAfter, 1, 60);
        Assert.Matches(@"^Too many requests\. Try again in \d+ seconds\.$", body.GetProperty("detail").GetString());
        Assert.Contains($"{(int)retryAfter} seconds", body.GetProperty("detail").GetString());
        // Unix seconds, as the user guide shows and as X-RateLimit-Reset says.
        Assert.Equal(reset, body.GetProperty("reset_time").GetInt64());
        Assert.Equal(reset.ToString(System.Globalization.CultureInfo.InvariantCulture), limited.Headers.GetValues("X-RateLimit-Reset").Single());
        Assert.Equal(0, limited.IntHeader("X-RateLimit-Remaining"));
        Assert.Equal(5, limited.IntHeader("X-RateLimit-Limit"));
    }

    [Fact]
    public async Task Concurrent_requests_through_the_gateway_are_limited_exactly()
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "burst", rate_limit = "30/minute" });
        using var client = gateway.CreateClient(apiKey);
        var responses = await Task.WhenAll(Enumerable.Range(0, 80).Select(_ => client.GetAsync("/api/keys/me")));
        Assert.Equal(30, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(50, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task The_window_reopens_after_it_ends()
    {
        var (_, apiKey) = await gateway.CreateKeyAsync(new { owner = "short-window", rate_limit = "2/2s" });
        using var client = gateway.CreateClient(apiKey);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/keys/me")).StatusCode);
        // Refused calls do not count against the window, so polling does not hold it shut.
        using var reopened = await ModelTestHelpers.FirstAnswerOtherThanAsync(() => client.GetAsync("/api/keys/me"),
            HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(30), "the window to reopen");
        Assert.Equal(HttpStatusCode.OK, reopened.StatusCode);
        Assert.Equal(1, reopened.IntHeader("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Daily_quota_exhaustion_gets_429_and_usage_reports_the_counters()
    {
        var (keyId, apiKey) = await gateway.CreateKeyAsync(new { owner = "quota", daily_quota = 3, monthly_quota = 1000 });
        using var client = gateway.CreateClient(apiKey);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/keys/me")).StatusCode);
        }
        using var refused = await client.GetAsync("/api/keys/me");
        var error = await refused.AssertErrorAsync(HttpStatusCode.TooManyRequests, "quota_exceeded");
        Assert.Equal("daily", error.GetProperty("quota").GetString());
        Assert.Equal(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(1), DateTimeOffset.FromUnixTimeSeconds(error.GetProperty("reset_time").GetInt64()).UtcDateTime);
        Assert.NotNull(refused.Headers.RetryAfter);

        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var usage = await (await admin.GetAsync($"/api/keys/{keyId}/usage")).AssertOkAsync();
        Assert.Equal(3, usage.GetProperty("requests_today").GetInt64());
        Assert.Equal(0, usage.GetProperty("daily_remaining").GetInt64());
        Assert.Equal(3, usage.GetProperty("requests_this_month").GetInt64());
        Assert.Equal(997, usage.GetProperty("monthly_remaining").GetInt64());
        Assert.Equal(3, usage.GetProperty("total_requests").GetInt64());
        Assert.Equal(1, usage.GetProperty("rejected_requests").GetInt64());
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd"), usage.GetProperty("day").GetString());
        Assert.Equal(100, usage.GetProperty("rate_limit").GetProperty("limit").GetInt32());
    }
}
