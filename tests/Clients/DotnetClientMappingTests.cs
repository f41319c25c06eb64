using System.Net;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Client;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>The .NET client's wire shapes and error mapping, against an in-memory handler (no sockets).</summary>
[Trait("Tier", "Unit")]
public sealed class DotnetClientMappingTests
{
    private const string Key = "mcp_0123456789abcdef_secretsecretsecretsecretsecretsecretsecretsecretsecr";

    /// <summary>Answers every request with one canned response and keeps what was sent.</summary>
    private sealed class StubHandler(HttpStatusCode status, string body, string contentType = "application/json") : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request, request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        }
    }

    private static (McpClient Client, StubHandler Handler) Client(HttpStatusCode status, string body, string contentType = "application/json")
    {
        var handler = new StubHandler(status, body, contentType);
        var client = new McpClient(new HttpClient(handler), new McpClientOptions { BaseAddress = new Uri("http://127.0.0.1:8000"), ApiKey = Key, MaxRetries = 0 });
        return (client, handler);
    }

    [Theory]
    [InlineData(400, typeof(McpValidationException), "validation_error")]
    [InlineData(422, typeof(McpValidationException), "question_not_understood")]
    [InlineData(401, typeof(McpAuthenticationException), "invalid_api_key")]
    [InlineData(403, typeof(McpForbiddenException), "forbidden")]
    [InlineData(404, typeof(McpNotFoundException), "not_found")]
    [InlineData(429, typeof(McpRateLimitException), "quota_exceeded")]
    [InlineData(503, typeof(McpUnavailableException), "data_source_unavailable")]
    [InlineData(409, typeof(McpApiException), "conflict")]
    [InlineData(504, typeof(McpApiException), "query_timeout")]
    public async Task Each_status_becomes_its_exception_with_the_bodys_code_detail_and_field(int status, Type type, string code)
    {
        var body = $$"""{"error": "{{code}}", "detail": "Something about 'question'.", "field": "question", "reset_time": 1767225600, "timestamp": "2026-01-01T00:00:00Z"}""";
        var (client, _) = Client((HttpStatusCode)status, body);
        using var _c = client;

        var e = await Assert.ThrowsAnyAsync<McpApiException>(() => client.AskAsync("how many builders in Texas"));

        Assert.Equal(type, e.GetType());
        Assert.Equal((HttpStatusCode)status, e.StatusCode);
        Assert.Equal(code, e.Error);
        Assert.Equal("Something about 'question'.", e.Detail);
        Assert.Equal("question", e.Field);
        Assert.Equal(body, e.RawBody);
        Assert.Null(e.RetryAfter);
        Assert.Contains(code, e.Message);
        if (e is McpRateLimitException limited)
        {
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1767225600), limited.ResetTime);
        }
    }

    [Fact]
    public async Task A_body_that_is_not_json_keeps_the_status_and_the_text()
    {
        var (client, _) = Client(HttpStatusCode.BadGateway, "<html>upstream down</html>", "text/html");
        using var _c = client;
        var e = await Assert.ThrowsAsync<McpApiException>(() => client.ListSourcesAsync());
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Null(e.Error);
        Assert.Equal("<html>upstream down</html>", e.RawBody);
    }

    [Fact]
    public async Task The_openai_shaped_error_of_v1_routes_is_read_too()
    {
        var (client, _) = Client(HttpStatusCode.BadRequest, """{"error": {"message": "Required field 'text' is missing", "type": "validation_error", "param": "text", "code": "validation_error"}}""");
        using var _c = client;
        var e = await Assert.ThrowsAsync<McpValidationException>(() => client.PredictAsync("sentiment", JsonValues.From(new Dictionary<string, object?>())));
        Assert.Equal(("validation_error", "text", "Required field 'text' is missing"), (e.Error, e.Field, e.Detail));
    }

    [Fact]
    public async Task The_key_never_shows_in_an_exception_even_when_a_server_echoes_it()
    {
        var (client, _) = Client(HttpStatusCode.Unauthorized, $$"""{"error": "invalid_api_key", "detail": "Key {{Key}} is not valid."}""");
        using var _c = client;
        var e = await Assert.ThrowsAsync<McpAuthenticationException>(() => client.ListKeysAsync());
        Assert.DoesNotContain(Key, e.ToString());
        Assert.DoesNotContain(Key, e.RawBody);
        Assert.DoesNotContain(Key, e.Detail);
        Assert.Contains("***", e.Detail);
    }

    [Fact]
    public void Options_client_and_issued_keys_print_without_their_secrets()
    {
        var options = new McpClientOptions { BaseAddress = new Uri("http://127.0.0.1:8000"), ApiKey = Key };
        using var client = new McpClient(options);
        var issued = new IssuedKey("key_x", Key, "alice", null, ["read"], "100/minute", null, null, DateTimeOffset.UnixEpoch, null, null, null, null);
        Assert.DoesNotContain(Key, options.ToString());
        Assert.DoesNotContain(Key, client.ToString());
        Assert.DoesNotContain(Key, issued.ToString());
        Assert.Contains("key_x", issued.ToString());
    }

    [Fact]
    public async Task Every_request_carries_the_key_header_and_json_and_the_HttpClient_is_left_as_it_was()
    {
        var (client, handler) = Client(HttpStatusCode.OK, """{"data_sources": [], "total": 0, "offset": 0, "limit": 100}""");
        using var _c = client;
        await client.ListSourcesAsync();
        await client.ListSourcesAsync();
        Assert.All(handler.Seen, s =>
        {
            Assert.Equal(Key, Assert.Single(s.Request.Headers.GetValues("X-API-Key")));
            Assert.Equal("http://127.0.0.1:8000/api/datasources", s.Request.RequestUri!.ToString());
        });
    }

    [Fact]
    public async Task A_structured_query_is_sent_in_snake_case_without_nulls()
    {
        var (client, handler) = Client(HttpStatusCode.OK, """{"source": "jobs_db", "columns": [], "rows": [], "row_count": 0, "truncated": false, "limited_by_quota": false, "cached": false, "elapsed_ms": 1}""");
        using var _c = client;
        await client.QueryAsync(new DataQueryRequest
        {
            Source = "jobs_db",
            Table = "jobs",
            Filters = [QueryFilter.Gt("salary_range.max", 150000), QueryFilter.Eq("posted_date", "this_month"), QueryFilter.In("location", "Austin, TX", "Remote")],
            Aggregates = [new QueryAggregate("count"), new QueryAggregate("avg", "salary_range.max", "avg_max")],
            GroupBy = ["location"],
            OrderBy = ["-count"],
            Limit = 5,
        });
        var sent = JsonDocument.Parse(handler.Seen.Single().Body).RootElement;
        Assert.Equal(
            """{"source":"jobs_db","table":"jobs","filters":[{"field":"salary_range.max","op":"gt","value":150000},{"field":"posted_date","op":"eq","value":"this_month"},{"field":"location","op":"in","value":["Austin, TX","Remote"]}],"order_by":["-count"],"limit":5,"aggregates":[{"fn":"count"},{"fn":"avg","field":"salary_range.max","as":"avg_max"}],"group_by":["location"]}""",
            JsonSerializer.Serialize(sent));
    }

    [Fact]
    public async Task The_guides_two_shorthand_forms_are_sent_as_the_guide_writes_them()
    {
        var (client, handler) = Client(HttpStatusCode.OK, """{"source": "jobs_db", "columns": [], "rows": [], "row_count": 0}""");
        using var _c = client;
        await client.QueryAsync("jobs_db", new Dictionary<string, object?> { ["title"] = "Software Engineer", ["posted_date"] = "last_6m" });
        await client.QueryAsync("homebuilders_db", "properties", new Dictionary<string, object?> { ["construction_status"] = "completed", ["builder_id"] = 3 });
        Assert.Equal("""{"source":"jobs_db","query":{"title":"Software Engineer","posted_date":"last_6m"}}""", handler.Seen[0].Body);
        Assert.Equal("""{"source":"homebuilders_db","table":"properties","filters":[{"field":"construction_status","op":"eq","value":"completed"},{"field":"builder_id","op":"eq","value":3}]}""", handler.Seen[1].Body);
    }

    [Fact]
    public async Task An_ask_answer_reads_with_the_query_it_ran()
    {
        var (client, handler) = Client(HttpStatusCode.OK, """
            {"source": "jobs_db", "table": "jobs", "columns": [{"name": "count", "type": "integer"}], "rows": [{"count": 26}], "row_count": 1,
             "limit": 100, "offset": 0, "truncated": false, "limited_by_quota": false, "cached": true, "elapsed_ms": 2.5,
             "question": "how many remote jobs", "translator": "builtin", "confidence": 0.82,
             "query": {"table": "jobs", "filters": [{"field": "location", "op": "eq", "value": "Remote"}], "order_by": [{"field": "job_id", "direction": "desc"}], "aggregates": [{"fn": "count"}]},
             "explanation": "Counts the jobs whose location is Remote."}
            """);
        using var _c = client;
        var answer = await client.AskAsync("how many remote jobs", limit: 10);
        Assert.Equal("""{"question":"how many remote jobs","limit":10}""", handler.Seen.Single().Body);
        Assert.Equal(("builtin", 0.82, 26), (answer.Translator, answer.Confidence, answer.Rows.Single().GetProperty("count").GetInt32()));
        Assert.Equal("location", answer.Query!.Filters!.Single().Field);
        Assert.Equal("Remote", answer.Query.Filters!.Single().Value.GetString());
        Assert.Equal(["-job_id"], answer.Query.OrderBy);
        Assert.Equal("count", answer.Query.Aggregates!.Single().Fn);
        Assert.True(answer.Cached);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    public async Task A_path_segment_that_would_climb_out_of_its_route_is_refused_before_sending(string model)
    {
        var (client, handler) = Client(HttpStatusCode.OK, "{}");
        using var _c = client;
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetModelAsync(model));
        Assert.Empty(handler.Seen);
    }

    [Fact]
    public async Task Names_in_paths_are_escaped()
    {
        var (client, handler) = Client(HttpStatusCode.NoContent, "");
        using var _c = client;
        await client.DeleteModelAsync("review/../keys@production");
        Assert.Equal("/api/models/review%2F..%2Fkeys%40production", handler.Seen.Single().Request.RequestUri!.AbsolutePath);
    }

    [Fact]
    public void Bad_options_are_refused_without_echoing_the_key()
    {
        Assert.Throws<ArgumentException>(() => new McpClient(new McpClientOptions { BaseAddress = new Uri("/relative", UriKind.Relative) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new McpClient(new McpClientOptions { BaseAddress = new Uri("http://127.0.0.1"), MaxRetries = -1 }));
        Assert.Throws<ArgumentException>(() => new McpClient(new McpClientOptions()));
        var e = Assert.Throws<ArgumentException>(() => new McpClient(new McpClientOptions { BaseAddress = new Uri("http://127.0.0.1"), ApiKey = Key + "\r\nX-Evil: 1" }));
        Assert.DoesNotContain(Key, e.ToString());
    }
}
