using System.Globalization;
using System.Net;
using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>
/// Retry-After handling of the .NET client over real HTTP on 127.0.0.1: a 429 or 503 that says how long to wait is
/// tried again after that long (seconds and HTTP-date forms, on a fake clock), at most MaxRetries times and never for
/// longer than MaxRetryDelay; nothing else is retried; cancellation stops a wait or a request at once.
/// </summary>
[Trait("Tier", "Unit")]
public sealed class DotnetClientRetryTests
{
    private const string Key = "mcp_0123456789abcdef_retryretryretryretryretryretryretryretryretryretryre";
    private const string Answer = """{"source": "jobs_db", "table": "jobs", "columns": [{"name": "job_id", "type": "integer"}], "rows": [{"job_id": 1}], "row_count": 1, "truncated": false, "limited_by_quota": false, "cached": false, "elapsed_ms": 1, "question": "q", "translator": "builtin", "confidence": 1}""";
    private const string Limited = """{"error": "rate_limit_exceeded", "detail": "Too many requests.", "reset_time": 1767225600}""";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static McpClient Client(DotnetClientTestServer server, TimeProvider clock, int maxRetries = 2, TimeSpan? maxDelay = null) =>
        new(new McpClientOptions { BaseAddress = server.Address, ApiKey = Key, TimeProvider = clock, MaxRetries = maxRetries, MaxRetryDelay = maxDelay ?? TimeSpan.FromSeconds(30) });

    /// <summary>Moves the fake clock on in small steps until the call ends (a real deadline guards the loop).</summary>
    private static async Task<T> DriveAsync<T>(Task<T> call, FakeTimeProvider clock)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(30));
        while (!call.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "the call did not end");
            clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.WhenAny(call, Task.Delay(5));
        }
        return await call;
    }

    private static FakeTimeProvider NewClock() => new(Start);

    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task Retry_after_in_seconds_is_waited_out_then_the_same_request_is_sent_again(int status)
    {
        var clock = NewClock();
        await using var server = await DotnetClientTestServer.StartAsync((context, attempt) => attempt < 3
            ? DotnetClientTestServer.WriteAsync(context, status, Limited, ("Retry-After", "2"))
            : DotnetClientTestServer.WriteAsync(context, 200, Answer), clock);
        using var client = Client(server, clock);

        var answer = await DriveAsync(client.AskAsync("jobs in Austin paying over 150k"), clock);

        Assert.Equal(1, answer.RowCount);
        var seen = server.Requests.ToArray();
        Assert.Equal(3, seen.Length);
        Assert.All(seen, s => Assert.Equal(seen[0].Body, s.Body));
        Assert.All(seen, s => Assert.Equal(Key, s.Headers["X-API-Key"]));
        Assert.True(seen[1].ArrivedAt - seen[0].ArrivedAt >= TimeSpan.FromSeconds(2), $"waited {seen[1].ArrivedAt - seen[0].ArrivedAt}");
        Assert.True(seen[2].ArrivedAt - seen[1].ArrivedAt >= TimeSpan.FromSeconds(2), $"waited {seen[2].ArrivedAt - seen[1].ArrivedAt}");
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_waited_out_until_that_date()
    {
        var clock = NewClock();
        DateTimeOffset? until = null;
        await using var server = await DotnetClientTestServer.StartAsync((context, attempt) =>
        {
            if (attempt > 1)
            {
                return DotnetClientTestServer.WriteAsync(context, 200, Answer);
            }
            var now = clock.GetUtcNow();
            until = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(5);
            return DotnetClientTestServer.WriteAsync(context, 503, """{"error": "service_unavailable", "detail": "busy"}""", ("Retry-After", until.Value.ToString("R", CultureInfo.InvariantCulture)));
        }, clock);
        using var client = Client(server, clock);

        await DriveAsync(client.ListSourcesAsync(), clock);

        var seen = server.Requests.ToArray();
        Assert.Equal(2, seen.Length);
        Assert.True(seen[1].ArrivedAt >= until, $"retried at {seen[1].ArrivedAt:O}, before {until:O}");
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData("date", 3600)]
    public async Task A_wait_beyond_MaxRetryDelay_is_thrown_at_once_with_RetryAfter_set(string form, int seconds)
    {
        var clock = NewClock();
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => DotnetClientTestServer.WriteAsync(context, 429, Limited,
            ("Retry-After", form == "date" ? clock.GetUtcNow().AddSeconds(seconds).ToString("R", CultureInfo.InvariantCulture) : form)), clock);
        using var client = Client(server, clock);

        var e = await Assert.ThrowsAsync<McpRateLimitException>(() => client.AskAsync("how many builders in Texas"));

        Assert.Single(server.Requests);
        Assert.Equal(TimeSpan.FromSeconds(seconds), e.RetryAfter);
        Assert.Equal("rate_limit_exceeded", e.Error);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1767225600), e.ResetTime);
    }

    [Fact]
    public async Task After_MaxRetries_the_refusal_is_thrown_with_what_it_said()
    {
        var clock = NewClock();
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => DotnetClientTestServer.WriteAsync(context, 503,
            """{"error": "data_source_unavailable", "detail": "jobs_db is disabled"}""", ("Retry-After", "1")), clock);
        using var client = Client(server, clock, maxRetries: 2);

        var call = client.QueryAsync("jobs_db", new Dictionary<string, object?> { ["title"] = "x" });
        var e = await Assert.ThrowsAsync<McpUnavailableException>(() => DriveAsync(call, clock));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(1), e.RetryAfter);
        Assert.Equal("data_source_unavailable", e.Error);
    }

    [Theory]
    [InlineData(429, null)]
    [InlineData(503, null)]
    [InlineData(500, "1")]
    [InlineData(502, "1")]
    [InlineData(400, "1")]
    public async Task Nothing_else_is_retried(int status, string? retryAfter)
    {
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => retryAfter is null
            ? DotnetClientTestServer.WriteAsync(context, status, """{"error": "x", "detail": "y"}""")
            : DotnetClientTestServer.WriteAsync(context, status, """{"error": "x", "detail": "y"}""", ("Retry-After", retryAfter)));
        using var client = Client(server, TimeProvider.System);

        var e = await Assert.ThrowsAnyAsync<McpApiException>(() => client.ListSourcesAsync());

        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Cancelling_during_a_retry_wait_ends_the_call_at_once()
    {
        var clock = NewClock();
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => DotnetClientTestServer.WriteAsync(context, 429, Limited, ("Retry-After", "20")), clock);
        using var client = Client(server, clock);
        using var cancel = new CancellationTokenSource();

        var call = client.ListKeysAsync(cancellationToken: cancel.Token);
        await WaitUntilAsync(() => !server.Requests.IsEmpty);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Cancelling_a_request_the_server_never_answers_ends_the_call()
    {
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var client = Client(server, TimeProvider.System);
        using var cancel = new CancellationTokenSource();

        var call = client.AskAsync("Show me active jobs for today", cancellationToken: cancel.Token);
        await WaitUntilAsync(() => !server.Requests.IsEmpty);
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task A_base_address_with_a_path_keeps_its_prefix()
    {
        await using var server = await DotnetClientTestServer.StartAsync((context, _) => DotnetClientTestServer.WriteAsync(context, 200, """{"data_sources": [], "total": 0, "offset": 0, "limit": 100}"""));
        using var client = new McpClient(new McpClientOptions { BaseAddress = new Uri(server.Address, "gateway"), ApiKey = Key });

        await client.ListSourcesAsync();

        Assert.Equal("/gateway/api/datasources", server.Requests.Single().PathAndQuery);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadlines.Scaled(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the server saw no request");
            await Task.Delay(5);
        }
    }
}
