using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CsCheck;
using Mcp.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.Security.Fuzz;

/// <summary>
/// Issue 15 item 7: reads <c>/openapi/v1.json</c> from a running gateway and sends generated and mutated bodies, path
/// values and query strings to every operation, with an admin key, a read-only key and none. No answer may be a 5xx,
/// every answer must come within <see cref="RequestTimeout"/>, and every 4xx must be in the documented error shape.
/// Seedable: <c>MCP_FUZZ_SEED</c> replays a run (the seed is printed on failure), <c>MCP_FUZZ_CASES</c> sets the size.
/// The gateway is its own (destructive calls are part of the point) and may only reach loopback: see
/// <see cref="FuzzValues"/> for how generated values are kept there.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OpenApiFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// 5xx answers owned by the data-source work of issue 15 (another branch), tolerated here ONLY until that is
    /// merged: remove entries as they are fixed. Each is reported in the test output when hit.
    /// </summary>
    private static readonly HashSet<string> KnownDataSource5xx = [];

    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Outbound:AllowPublicTargets"] = "false",
        ["Alerts:PagerDutyEventsUrl"] = "http://127.0.0.1:9/",
        ["ApiKeys:DefaultRateLimit"] = "1000000/minute",
        ["ApiKeys:SelfServiceRateLimit"] = "1000000/minute",
        ["Models:HealthCheckTimeout"] = "00:00:01",
        ["Models:DefaultTimeout"] = "00:00:02",
    });

    private readonly ConcurrentDictionary<string, int> _hits = new();
    private readonly ConcurrentBag<string> _known5xx = [];
    private readonly ConcurrentBag<string> _survey = [];
    private readonly ConcurrentDictionary<string, int> _statuses = new();
    private string _readKey = "";

    public async Task InitializeAsync()
    {
        // Real HTTP (Kestrel), not the in-memory test server: what a stranger's bytes meet, including the server's own parsing.
        _gateway.UseKestrel(0);
        _gateway.StartServer();
        (_, _readKey) = await _gateway.CreateKeyAsync(new { owner = "fuzz-reader", permissions = new[] { "read" }, rate_limit = "1000000/minute" });
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private sealed record Case(OpenApiOperation Operation, string[] PathValues, (string Name, string Value)[] Query, string? Body, string? ContentType, int Caller)
    {
        public string Url => BuildUrl(Operation, PathValues, Query);

        public override string ToString() =>
            $"{Operation.Method} {Url} caller={(Caller == 0 ? "admin" : Caller == 1 ? "read-key" : "anonymous")} content-type={ContentType ?? "(none)"} body={Body ?? "(none)"}";
    }

    [Fact]
    public async Task Every_operation_answers_generated_and_mutated_requests_without_a_5xx_in_the_error_shape()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var document = await admin.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var operations = OpenApiOperation.ReadAll(document);
        Assert.True(operations.Count > 50, $"only {operations.Count} operations in the document");
        var values = new FuzzValues(document, ["sentiment", "mod_builtin_sentiment_v1", "sentiment@1.0.0", "sentiment@latest", "model.sentiment", "x",
            "jobs_db", "homebuilders_db", "fz_db", "fz-m", "fz-h", "fz_p", "fz_int", "fz_tool", "model.fz-h", "production", "latest"]);

        // Built once, before sampling runs on several threads.
        var bodies = operations.ToDictionary(o => o, o => values.Body(o.ToString(), o.BodySchema).Select(b => (string?)b));
        var strayBody = Gen.Frequency((9, Gen.Const((string?)null)), (1, values.Body(null).Select(b => (string?)b)));
        var gen =
            from operation in Gen.OneOf(operations.ToArray())
            from pathValues in values.PathValue.Array[operation.PathParameters.Count]
            from query in QueryOf(operation)
            from body in operation.HasBody ? bodies[operation] : strayBody
            from contentType in Gen.Frequency((12, Gen.Const((string?)"application/json")),
                (1, Gen.OneOf<string?>("text/plain", null, "application/json; charset=latin1", "application/x-www-form-urlencoded", "application/merge-patch+json")))
            from caller in Gen.Frequency((5, Gen.Const(0)), (4, Gen.Const(1)), (1, Gen.Const(2)))
            select new Case(operation, pathValues, query, body, contentType, caller);

        var seed = Environment.GetEnvironmentVariable("MCP_FUZZ_SEED");
        // MCP_FUZZ_SURVEY=1 lists every failure of a run instead of stopping (and shrinking) at the first.
        var survey = Environment.GetEnvironmentVariable("MCP_FUZZ_SURVEY") == "1";
        var cases = long.TryParse(Environment.GetEnvironmentVariable("MCP_FUZZ_CASES"), out var n) ? n : 5000;
        using var read = _gateway.CreateClient(_readKey);
        using var anonymous = _gateway.CreateClient();
        HttpClient[] callers = [admin, read, anonymous];
        var watch = Stopwatch.StartNew();
        try
        {
            await gen.SampleAsync(async c =>
                {
                    try
                    {
                        await SendAsync(callers[c.Caller], c);
                    }
                    catch (Xunit.Sdk.XunitException e) when (survey)
                    {
                        _survey.Add(e.Message);
                    }
                }, seed: seed, iter: cases, threads: 2, print: c => c.ToString(),
                writeLine: output.WriteLine);
        }
        finally
        {
            output.WriteLine($"Fuzz: {_hits.Values.Sum()} requests over {_hits.Count} of {operations.Count} operations in {watch.Elapsed.TotalSeconds:0.0} s.");
            if (survey)
            {
                foreach (var (status, count) in _statuses.OrderBy(s => s.Key))
                {
                    output.WriteLine($"Status: {status} x{count}");
                }
            }
            foreach (var failure in _survey.Distinct().Order())
            {
                output.WriteLine($"Survey: {failure}");
            }
            foreach (var known in _known5xx.Distinct())
            {
                output.WriteLine($"Known data-source 5xx (tolerated until fixed): {known}");
            }
        }
        var missed = operations.Select(o => o.ToString()).Where(o => !_hits.ContainsKey(o)).ToArray();
        Assert.True(missed.Length == 0, $"Operations never called: {string.Join(", ", missed)}");
    }

    private static Gen<(string, string)[]> QueryOf(OpenApiOperation operation)
    {
        Gen<(string, string)[]> query = Gen.Const(Array.Empty<(string, string)>());
        foreach (var parameter in operation.QueryParameters.Select(p => p.Name).Append("x_extra"))
        {
            var one = Gen.Frequency(
                (parameter == "x_extra" ? 1 : 3, FuzzValues.QueryValue(parameter).Select(v => new[] { (parameter, v) })),
                (3, Gen.Const(Array.Empty<(string, string)>())));
            query = Gen.Select(query, one, (a, b) => a.Concat(b).ToArray());
        }
        return query;
    }

    private static string BuildUrl(OpenApiOperation operation, string[] pathValues, (string Name, string Value)[] query)
    {
        var path = operation.PathTemplate;
        for (var i = 0; i < operation.PathParameters.Count; i++)
        {
            var name = operation.PathParameters[i];
            var start = path.IndexOf("{" + name, StringComparison.Ordinal);
            var end = path.IndexOf('}', start);
            path = path[..start] + Uri.EscapeDataString(pathValues[i]) + path[(end + 1)..];
        }
        if (query.Length > 0)
        {
            path += "?" + string.Join("&", query.Select(q => Uri.EscapeDataString(q.Name) + "=" + Uri.EscapeDataString(q.Value)));
        }
        return path;
    }

    private async Task SendAsync(HttpClient client, Case c)
    {
        var operation = c.Operation.ToString();
        _hits.AddOrUpdate(operation, 1, (_, count) => count + 1);
        using var request = new HttpRequestMessage(new HttpMethod(c.Operation.Method), c.Url);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (c.Body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(c.Body));
            if (c.ContentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(c.ContentType);
            }
        }
        using var timeout = new CancellationTokenSource(RequestTimeout);
        HttpResponseMessage response;
        string text;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            // A stream (SSE) that started is a legitimate long answer: its headers came, which is all "no hang" asks.
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream")
            {
                response.Dispose();
                return;
            }
            text = await response.Content.ReadAsStringAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"No answer within {RequestTimeout.TotalSeconds} s: {c}");
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            _statuses.AddOrUpdate($"{operation} {status}", 1, (_, count) => count + 1);
            if (status >= 500 && IsClosedLoopbackUpstream(status, text))
            {
                return;
            }
            if (status >= 500)
            {
                if (KnownDataSource5xx.Contains(operation))
                {
                    _known5xx.Add($"{status} {c}");
                    return;
                }
                throw new Xunit.Sdk.XunitException($"{status} for {c}: {text}");
            }
            if (status == 400 && text.Length == 0 && c.Url.Contains("%00", StringComparison.Ordinal))
            {
                // Kestrel refuses a NUL in the path while parsing the request line, before any application code runs,
                // with an empty 400 of its own: nothing of ours to shape.
                return;
            }
            if (status >= 400)
            {
                AssertErrorShape(c, status, response.Content.Headers.ContentType?.MediaType, text);
            }
        }
    }

    /// <summary>
    /// The one legitimate 5xx: every target the fuzzer registers is a closed loopback port, so calling through such a
    /// model or source is the documented upstream failure (502/503/504 with its code, naming the address), or the
    /// model paused by its breaker afterwards. A 500, or an upstream code for anything else, still fails.
    /// </summary>
    private static bool IsClosedLoopbackUpstream(int status, string text)
    {
        if (status is not (502 or 503 or 504))
        {
            return false;
        }
        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            var error = body.GetProperty("error");
            var code = error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetProperty("code").GetString();
            var detail = error.ValueKind == JsonValueKind.String ? body.GetProperty("detail").GetString() : error.GetProperty("message").GetString();
            return code is "model_unavailable"
                || (code is "model_error" or "model_timeout" or "upstream_error" or "data_source_unavailable"
                    && detail is not null && (detail.Contains("127.0.0.1", StringComparison.Ordinal) || detail.Contains("[::1]", StringComparison.Ordinal)
                        || detail.Contains("localhost", StringComparison.Ordinal)));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void AssertErrorShape(Case c, int status, string? mediaType, string text)
    {
        JsonElement body;
        try
        {
            body = JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"{status} with a body that is not JSON ({mediaType}) for {c}: {text}");
        }
        var ok = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("error", out var error) && (
            // Ours: {"error": code, "detail": …}
            (error.ValueKind == JsonValueKind.String && body.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            // OpenAI's, on /v1: {"error": {"message": …, "code": …}}
            || (c.Operation.PathTemplate.StartsWith("/v1/", StringComparison.Ordinal) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out _))
            // JSON-RPC's, on /mcp: {"jsonrpc": "2.0", "error": {"code": …, "message": …}}
            || (c.Operation.PathTemplate.StartsWith("/mcp", StringComparison.Ordinal) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out _)));
        if (!ok)
        {
            throw new Xunit.Sdk.XunitException($"{status} not in the error shape for {c}: {text}");
        }
    }
}
