using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mcp.Cluster.DataSources.Connectors.Snowflake;

/// <summary>
/// Snowflake's SQL API v2: <c>POST /api/v2/statements</c> with key-pair JWT authentication, polling
/// <c>GET /api/v2/statements/{handle}</c> while a statement runs (202), fetching further result partitions with
/// <c>?partition=n</c>, and cancelling (<c>POST …/cancel</c>) when the caller gives up.
/// </summary>
public sealed class SnowflakeStatementClient(HttpClient http, Uri baseUri, SnowflakeKeyPairToken token, SnowflakeSession session, TimeProvider time)
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromSeconds(2);

    /// <summary>Runs one statement and returns at most <paramref name="maxRows"/> rows.</summary>
    /// <exception cref="DataSourceQueryException">Snowflake refused the statement (SQL error, 422).</exception>
    /// <exception cref="TimeoutException">The statement ran into its timeout (408).</exception>
    public async Task<SnowflakeResult> ExecuteAsync(string statement, JsonObject? bindings, TimeSpan timeout, int maxRows, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["statement"] = statement,
            ["timeout"] = Math.Max(1, (int)Math.Ceiling(timeout.TotalSeconds)),
            ["database"] = session.Database,
            ["schema"] = session.Schema,
            // One statement per request: Snowflake itself refuses a second one.
            ["parameters"] = new JsonObject { ["MULTI_STATEMENT_COUNT"] = "1", ["TIMEZONE"] = "UTC" },
        };
        if (session.Warehouse is { } warehouse) body["warehouse"] = warehouse;
        if (session.Role is { } role) body["role"] = role;
        if (bindings is not null) body["bindings"] = bindings;

        using var request = Request(HttpMethod.Post, $"api/v2/statements?requestId={Guid.NewGuid()}&nullable=true");
        request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request, cancellationToken);
        var document = await ReadAsync(response, cancellationToken);
        var handle = document.TryGetProperty("statementHandle", out var h) ? h.GetString() : null;
        try
        {
            var delay = FirstPoll;
            var running = response.StatusCode == HttpStatusCode.Accepted;
            while (running)
            {
                await Task.Delay(delay, time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, delay.Ticks * 2));
                using var poll = Request(HttpMethod.Get, $"api/v2/statements/{Uri.EscapeDataString(handle!)}");
                using var polled = await http.SendAsync(poll, cancellationToken);
                document = await ReadAsync(polled, cancellationToken);
                running = polled.StatusCode == HttpStatusCode.Accepted;
            }
            return await CollectAsync(document, handle, maxRows, cancellationToken);
        }
        catch (OperationCanceledException) when (handle is not null)
        {
            await CancelAsync(handle);
            throw;
        }
    }

    private async Task<SnowflakeResult> CollectAsync(JsonElement document, string? handle, int maxRows, CancellationToken cancellationToken)
    {
        var meta = document.GetProperty("resultSetMetaData");
        var columns = meta.GetProperty("rowType").EnumerateArray().Select(c => new SnowflakeColumn(
            c.GetProperty("name").GetString()!,
            c.GetProperty("type").GetString()!.ToLowerInvariant(),
            c.TryGetProperty("scale", out var scale) && scale.ValueKind == JsonValueKind.Number ? scale.GetInt32() : null,
            !c.TryGetProperty("nullable", out var nullable) || nullable.ValueKind != JsonValueKind.False)).ToArray();
        var rows = new List<JsonElement[]>();
        var truncated = Append(rows, document, maxRows);
        var partitions = meta.TryGetProperty("partitionInfo", out var info) ? info.GetArrayLength() : 1;
        for (var partition = 1; partition < partitions && !truncated; partition++)
        {
            using var request = Request(HttpMethod.Get, $"api/v2/statements/{Uri.EscapeDataString(handle!)}?partition={partition}");
            using var response = await http.SendAsync(request, cancellationToken);
            truncated = Append(rows, await ReadAsync(response, cancellationToken), maxRows);
        }
        return new SnowflakeResult(columns, rows, truncated);
    }

    private static bool Append(List<JsonElement[]> rows, JsonElement document, int maxRows)
    {
        if (!document.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return false;
        }
        foreach (var row in data.EnumerateArray())
        {
            if (rows.Count == maxRows)
            {
                return true;
            }
            rows.Add(row.EnumerateArray().Select(v => v.Clone()).ToArray());
        }
        return false;
    }

    private async Task CancelAsync(string handle)
    {
        try
        {
            using var cancel = Request(HttpMethod.Post, $"api/v2/statements/{Uri.EscapeDataString(handle)}/cancel");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var _ = await http.SendAsync(cancel, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // Best effort: Snowflake also cancels the statement itself when its timeout passes.
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, new Uri(baseUri, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Current());
        request.Headers.Add("X-Snowflake-Authorization-Token-Type", "KEYPAIR_JWT");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("mcp-cluster", "1.0"));
        return request;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonElement document;
        try
        {
            document = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new HttpRequestException($"Snowflake answered {(int)response.StatusCode} without JSON: {Truncate(text)}", null, response.StatusCode);
        }
        if (response.IsSuccessStatusCode)
        {
            return document;
        }
        var message = document.TryGetProperty("message", out var m) ? m.GetString() : Truncate(text);
        var code = document.TryGetProperty("code", out var c) ? c.GetString() : null;
        throw response.StatusCode switch
        {
            HttpStatusCode.UnprocessableEntity => new DataSourceQueryException($"Snowflake refused the statement ({code}): {message}"),
            HttpStatusCode.RequestTimeout => new TimeoutException($"Snowflake cancelled the statement at its timeout: {message}"),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden =>
                new InvalidOperationException($"Snowflake refused the key-pair credentials ({(int)response.StatusCode}): {message}"),
            _ => new HttpRequestException($"Snowflake answered {(int)response.StatusCode}: {message}", null, response.StatusCode),
        };
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>The context every statement runs in; Snowflake treats each field as case-sensitive.</summary>
public sealed record SnowflakeSession(string Database, string Schema, string? Warehouse, string? Role);
