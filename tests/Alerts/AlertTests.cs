using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Alerts;

/// <summary>
/// Alert rules evaluated by the cluster's evaluator grain from real traffic, delivered to real local receivers: an
/// HTTP webhook endpoint, the Slack and PagerDuty wire servers, and an SMTP server.
/// </summary>
[Trait("Tier", "Api")]
public sealed class AlertTests(AlertGateway gateway) : IClassFixture<AlertGateway>, IAsyncLifetime
{
    private const string RoutingKey = "R0123456789abcdef0123456789abcde";
    private const string SigningSecret = "whsec-test-secret";
    private readonly WebhookReceiver _webhook = new();
    private readonly SlackWebhookWireServer _slack = new("slack-token-123");
    private readonly PagerDutyEventsWireServer _pagerDuty = new();
    private readonly SmtpReceiver _smtp = new() { Username = "alerts", Password = "smtp-pass" };

    public async Task InitializeAsync()
    {
        await gateway.EnsureSamplesAsync();
        await _webhook.StartAsync();
        await _slack.StartAsync();
        await _pagerDuty.StartAsync();
        _smtp.Start();
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // Tests create their own rules; the defaults stay out of the way.
        foreach (var rule in new[] { "slow_queries", "error_rate", "cache_miss_rate", "concurrent_queries" })
        {
            using var disabled = await admin.PutAsJsonAsync($"/api/alerts/rules/{rule}", new { enabled = false });
            if (disabled.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Disabling {rule}: {(int)disabled.StatusCode} {await disabled.Content.ReadAsStringAsync()}");
            }
        }
    }

    public async Task DisposeAsync()
    {
        await _webhook.DisposeAsync();
        await _slack.DisposeAsync();
        await _pagerDuty.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task AddChannelsAsync(HttpClient admin, string prefix)
    {
        await (await admin.PutAsJsonAsync($"/api/alerts/channels/{prefix}-hook", new { type = "webhook", url = _webhook.HookUrl, secret = SigningSecret })).AssertOkAsync();
        await (await admin.PutAsJsonAsync($"/api/alerts/channels/{prefix}-slack", new { type = "slack", url = _slack.WebhookUrl })).AssertOkAsync();
        await (await admin.PutAsJsonAsync($"/api/alerts/channels/{prefix}-pd", new { type = "pager_duty", routing_key = RoutingKey, url = _pagerDuty.EventsUrl })).AssertOkAsync();
        await (await admin.PutAsJsonAsync($"/api/alerts/channels/{prefix}-mail", new
        {
            type = "email",
            smtp = new { host = "127.0.0.1", port = _smtp.Port, security = "none", username = "alerts", password = "smtp-pass" },
            from = "mcp-alerts@example.com",
            to = new[] { "oncall@example.com", "data-team@example.com" },
        })).AssertOkAsync();
    }

    [Fact]
    public async Task A_cache_miss_alert_fires_once_on_every_channel_and_resolves_once()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await AddChannelsAsync(admin, "all");
        var channels = new[] { "all-hook", "all-slack", "all-pd", "all-mail" };
        await (await admin.PutAsJsonAsync("/api/alerts/rules/jobs_misses", new
        {
            kind = "cache_miss_rate", threshold = 0.4, window_seconds = 10, for_seconds = 0, min_samples = 3,
            severity = "critical", source = "jobs_db", channels,
        })).AssertOkAsync();

        // Three different queries: three cache misses, a miss rate of 100%.
        for (var i = 1; i <= 3; i++)
        {
            await gateway.QueryOkAsync(admin, new { source = "jobs_db", table = "jobs", fields = new[] { "job_id" }, limit = i });
        }
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await admin.GetJsonAsync("/api/alerts")).GetProperty("active").EnumerateArray()
                .Any(a => a.GetProperty("fingerprint").GetString() == "jobs_misses/jobs_db" && a.GetProperty("status").GetString() == "firing"),
            TimeSpan.FromSeconds(20), "the alert to fire");
        var firing = (await admin.GetJsonAsync("/api/alerts")).GetProperty("active").EnumerateArray()
            .Single(a => a.GetProperty("fingerprint").GetString() == "jobs_misses/jobs_db");
        Assert.Equal(1.0, firing.GetProperty("value").GetDouble());
        Assert.Equal("cache_miss_rate", firing.GetProperty("kind").GetString());

        // No more lookups: once the 10 s window has passed, the rule has too few samples and the alert resolves.
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await admin.GetJsonAsync("/api/alerts")).GetProperty("resolved").EnumerateArray()
                .Any(a => a.GetProperty("fingerprint").GetString() == "jobs_misses/jobs_db"),
            TimeSpan.FromSeconds(30), "the alert to resolve");
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_webhook.Requests.Count >= 2 && _slack.Requests.Count >= 2
            && _pagerDuty.Requests.Count >= 2 && _smtp.Messages.Count >= 2), TimeSpan.FromSeconds(20), "every channel to get both notifications");
        // Dozens of evaluations saw the alert firing; each channel heard of it exactly twice, and still only twice after
        // the evaluator has run a few more times (every 250 ms here; waited for by its own clock, however slow the machine).
        var seenAt = (await admin.GetJsonAsync("/api/alerts")).GetProperty("last_evaluated_at").GetDateTimeOffset();
        await ModelTestHelpers.EventuallyAsync(async () =>
                (await admin.GetJsonAsync("/api/alerts")).GetProperty("last_evaluated_at").GetDateTimeOffset() >= seenAt.AddSeconds(1),
            TimeSpan.FromSeconds(30), "four more evaluations");

        // Webhook: signed JSON, firing then resolved.
        var hooks = _webhook.Requests.ToArray();
        Assert.True(hooks.Length == 2, string.Join("\n", hooks.Select(h => h.Body)));
        Assert.Equal(["alert.firing", "alert.resolved"], hooks.Select(h => h.Headers["X-Mcp-Event"]));
        foreach (var hook in hooks)
        {
            var signature = hook.Headers["X-Mcp-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningSecret), Encoding.UTF8.GetBytes(signature["t"] + "." + hook.Body)));
            Assert.Equal(expected, signature["v1"]);
        }
        var fired = JsonDocument.Parse(hooks[0].Body).RootElement;
        Assert.Equal("firing", fired.GetProperty("event").GetString());
        Assert.Equal("jobs_misses/jobs_db", fired.GetProperty("alert").GetProperty("fingerprint").GetString());
        Assert.Equal(0.4, fired.GetProperty("alert").GetProperty("threshold").GetDouble());
        Assert.StartsWith("[FIRING] jobs_misses on jobs_db: cache miss rate 100%", fired.GetProperty("summary").GetString());
        Assert.Equal("resolved", JsonDocument.Parse(hooks[1].Body).RootElement.GetProperty("alert").GetProperty("status").GetString());

        // Slack: the wire server accepted both (it answers 400 to a payload without text or with malformed blocks).
        var slack = _slack.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("text").GetString()).ToArray();
        Assert.Equal(2, slack.Length);
        Assert.Contains("[FIRING] jobs_misses on jobs_db", slack[0]);
        Assert.Contains("[RESOLVED] jobs_misses on jobs_db", slack[1]);

        // PagerDuty: one trigger and one resolve with the same dedup key, so the incident is closed again.
        var events = _pagerDuty.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
        Assert.Equal(["trigger", "resolve"], events.Select(e => e.GetProperty("event_action").GetString()));
        Assert.All(events, e => Assert.Equal("jobs_misses/jobs_db", e.GetProperty("dedup_key").GetString()));
        Assert.All(events, e => Assert.Equal(RoutingKey, e.GetProperty("routing_key").GetString()));
        Assert.Equal("critical", events[0].GetProperty("payload").GetProperty("severity").GetString());
        Assert.Equal("jobs_db", events[0].GetProperty("payload").GetProperty("source").GetString());
        Assert.Empty(_pagerDuty.OpenIncidents);

        // Email: two messages to both recipients over authenticated SMTP.
        var mails = _smtp.Messages.ToArray();
        Assert.Equal(2, mails.Length);
        Assert.All(mails, m => Assert.Equal(["oncall@example.com", "data-team@example.com"], m.To));
        Assert.All(mails, m => Assert.Equal("mcp-alerts@example.com", m.From));
        Assert.StartsWith("[FIRING] jobs_misses on jobs_db", mails[0].Header("Subject"));
        Assert.StartsWith("[RESOLVED] jobs_misses on jobs_db", mails[1].Header("Subject"));
        Assert.Equal("jobs_misses/jobs_db", mails[0].Header("X-Mcp-Alert"));

        // Every channel records two successful deliveries, first attempt each.
        foreach (var name in channels)
        {
            var deliveries = (await admin.GetJsonAsync($"/api/alerts/channels/{name}")).GetProperty("recent_deliveries").EnumerateArray().ToArray();
            Assert.Equal(2, deliveries.Length);
            Assert.All(deliveries, d => Assert.True(d.GetProperty("delivered").GetBoolean(), $"{name}: {d}"));
            Assert.All(deliveries, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
        }
    }

    [Fact]
    public async Task An_error_rate_alert_fires_from_real_5xx_answers()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PutAsJsonAsync("/api/alerts/channels/errors-hook", new { type = "webhook", url = _webhook.HookUrl })).AssertOkAsync();
        await (await admin.PutAsJsonAsync("/api/alerts/rules/errors", new
        {
            kind = "error_rate", threshold = 0.3, window_seconds = 30, for_seconds = 0, min_samples = 4, channels = new[] { "errors-hook" },
        })).AssertOkAsync();
        var modelId = await admin.RegisterModelAsync(new
        {
            name = $"broken-{Guid.NewGuid():N}"[..24],
            provider = "http",
            config = new { url = $"http://127.0.0.1:{FreePort.Next()}/predict", max_retries = 0, timeout_seconds = 2 },
        });
        // Set-up requests in the window answered 2xx; ten failures put the 5xx share well above 30%.
        for (var i = 0; i < 10; i++)
        {
            using var failed = await admin.PostAsJsonAsync($"/api/models/{modelId}/predict", new { text = "x" });
            Assert.True((int)failed.StatusCode >= 500, $"expected a 5xx, got {(int)failed.StatusCode}");
        }
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_webhook.Requests.Any(r => r.Body.Contains("\"errors/cluster\""))),
            TimeSpan.FromSeconds(20), "the error-rate alert to reach the webhook");
        var alert = (await admin.GetJsonAsync("/api/alerts")).GetProperty("active").EnumerateArray()
            .Single(a => a.GetProperty("fingerprint").GetString() == "errors/cluster");
        Assert.True(alert.GetProperty("value").GetDouble() > 0.3);
        // Done with it: disabling the rule resolves the alert.
        await (await admin.PutAsJsonAsync("/api/alerts/rules/errors", new { enabled = false })).AssertOkAsync();
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(_webhook.Requests.Any(r => r.Body.Contains("\"errors/cluster\"") && r.Body.Contains("\"resolved\""))),
            TimeSpan.FromSeconds(20), "the resolution to reach the webhook");
    }

    [Fact]
    public async Task Slow_and_concurrent_reads_are_seen_while_a_long_query_runs()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PutAsJsonAsync("/api/alerts/rules/running", new
        {
            kind = "concurrent_queries", threshold = 0, for_seconds = 0, channels = Array.Empty<string>(),
        })).AssertOkAsync();
        await (await admin.PutAsJsonAsync("/api/alerts/rules/slow_jobs", new
        {
            kind = "slow_queries", threshold = 0.2, window_seconds = 60, for_seconds = 0, min_samples = 1, source = "jobs_db", channels = Array.Empty<string>(),
        })).AssertOkAsync();

        // A recursive count that would keep SQLite busy for minutes: it runs until the gateway's 5 s query timeout
        // interrupts it, long enough for the evaluator to see it running, and slow enough for the slow-read rule.
        var slow = admin.PostAsJsonAsync("/api/data/sql", new
        {
            source = "jobs_db",
            sql = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10000000000) SELECT count(*) AS c FROM n",
        });
        var seenRunning = false;
        while (!slow.IsCompleted && !seenRunning)
        {
            var overview = await (await admin.PostAsync("/api/alerts/evaluate", null)).AssertOkAsync();
            seenRunning = overview.GetProperty("active").EnumerateArray().Any(a => a.GetProperty("fingerprint").GetString() == "running/cluster");
        }
        using (var response = await slow)
        {
            await response.AssertErrorAsync(HttpStatusCode.GatewayTimeout, "query_timeout");
        }
        Assert.True(seenRunning, "the evaluator never saw the running read");
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var overview = await (await admin.PostAsync("/api/alerts/evaluate", null)).AssertOkAsync();
            var active = overview.GetProperty("active").EnumerateArray().Select(a => a.GetProperty("fingerprint").GetString()).ToArray();
            return active.Contains("slow_jobs/jobs_db") && !active.Contains("running/cluster");
        }, TimeSpan.FromSeconds(20), "the slow read to be alerted and the concurrency alert to resolve");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/alerts/rules/running")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/alerts/rules/slow_jobs")).StatusCode);
    }

    [Fact]
    public async Task Failed_deliveries_are_retried_and_reported()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var receiver = new WebhookReceiver();
        await using var _ = receiver;
        await receiver.StartAsync();
        await (await admin.PutAsJsonAsync("/api/alerts/channels/flaky", new { type = "webhook", url = receiver.HookUrl })).AssertOkAsync();

        receiver.FailNext = 1;
        var once = await (await admin.PostAsync("/api/alerts/channels/flaky/test", null)).AssertOkAsync();
        Assert.True(once.GetProperty("delivered").GetBoolean());
        Assert.Equal(2, once.GetProperty("attempts").GetInt32());
        Assert.Equal("test", once.GetProperty("event").GetString());

        receiver.FailNext = 100;
        var never = await (await admin.PostAsync("/api/alerts/channels/flaky/test", null)).AssertOkAsync();
        Assert.False(never.GetProperty("delivered").GetBoolean());
        Assert.Equal(3, never.GetProperty("attempts").GetInt32());
        Assert.Contains("HTTP 500", never.GetProperty("error").GetString());

        var slack = await (await admin.PutAsJsonAsync("/api/alerts/channels/wrong-slack", new { type = "slack", url = new Uri(_slack.BaseUri, SlackWebhookWireServer.Path + "not-the-token") })).AssertOkAsync();
        var refused = await (await admin.PostAsync("/api/alerts/channels/wrong-slack/test", null)).AssertOkAsync();
        Assert.False(refused.GetProperty("delivered").GetBoolean());
        Assert.Contains("invalid_token", refused.GetProperty("error").GetString());
        Assert.DoesNotContain("not-the-token", refused.GetProperty("error").GetString());

        var deliveries = (await admin.GetJsonAsync("/api/alerts/channels/flaky")).GetProperty("recent_deliveries");
        Assert.Equal(2, deliveries.GetArrayLength());
        Assert.False(deliveries[0].GetProperty("delivered").GetBoolean());
    }

    [Fact]
    public async Task Channels_keep_their_secrets_and_refuse_bad_configuration()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var slack = await (await admin.PutAsJsonAsync("/api/alerts/channels/secret-slack", new { type = "slack", url = _slack.WebhookUrl })).AssertOkAsync();
        Assert.Equal("********", slack.GetProperty("url").GetString());
        // Changing something else keeps the stored URL; the test message still reaches Slack.
        await (await admin.PutAsJsonAsync("/api/alerts/channels/secret-slack", new { type = "slack", enabled = true })).AssertOkAsync();
        Assert.True((await (await admin.PostAsync("/api/alerts/channels/secret-slack/test", null)).AssertOkAsync()).GetProperty("delivered").GetBoolean());
        var pd = await (await admin.PutAsJsonAsync("/api/alerts/channels/secret-pd", new { type = "pager_duty", routing_key = RoutingKey })).AssertOkAsync();
        Assert.True(pd.GetProperty("routing_key_set").GetBoolean());
        var listed = await admin.GetStringAsync("/api/alerts/channels");
        Assert.DoesNotContain(RoutingKey, listed);
        Assert.DoesNotContain("slack-token-123", listed);
        Assert.DoesNotContain("slack-token-123", await File.ReadAllTextAsync(Path.Combine(gateway.DataDirectory, "grains.db")));

        async Task Refused(string name, object body, string field)
        {
            var error = await (await admin.PutAsJsonAsync($"/api/alerts/channels/{name}", body)).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, error.GetProperty("field").GetString());
        }
        await Refused("new-slack", new { type = "slack" }, "url");
        await Refused("new-pd", new { type = "pager_duty" }, "routing_key");
        await Refused("x", new { type = "sms", url = "https://example.com" }, "type");
        await Refused("x", new { type = "webhook", url = "ftp://example.com/hook" }, "url");
        await Refused("x", new { type = "webhook" }, "url");
        await Refused("x", new { type = "slack", url = "https://hooks.example.com/x", secret = "s" }, "secret");
        await Refused("x", new { type = "email", smtp = new { host = "mail.example.com" }, from = "a@example.com" }, "to");
        await Refused("x", new { type = "email", smtp = new { host = "mail.example.com" }, from = "not an address", to = new[] { "b@example.com" } }, "from");
        await Refused("x", new { type = "email", smtp = new { host = "mail.example.com", port = 70000 }, from = "a@example.com", to = new[] { "b@example.com" } }, "smtp.port");
        await Refused("x", new { type = "email", from = "a@example.com", to = new[] { "b@example.com" } }, "smtp.host");
        await Refused("Bad Name", new { type = "webhook", url = "https://example.com" }, "name");
        using (var unknownField = await admin.PutAsJsonAsync("/api/alerts/channels/x", new { type = "webhook", url = "https://example.com", colour = "red" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        }
        await (await admin.GetAsync("/api/alerts/channels/never-made")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/alerts/channels/secret-pd")).StatusCode);
        await (await admin.GetAsync("/api/alerts/channels/secret-pd")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Rules_are_validated_and_for_admins_only()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var rules = (await admin.GetJsonAsync("/api/alerts/rules")).GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        // The defaults the product ships with (disabled by this class's set-up, thresholds untouched).
        Assert.Equal(5, rules["slow_queries"].GetProperty("threshold").GetDouble());
        Assert.Equal(0.1, rules["error_rate"].GetProperty("threshold").GetDouble());
        Assert.Equal(0.4, rules["cache_miss_rate"].GetProperty("threshold").GetDouble());
        Assert.Equal(100, rules["concurrent_queries"].GetProperty("threshold").GetDouble());

        async Task Refused(string name, object body, string field)
        {
            var error = await (await admin.PutAsJsonAsync($"/api/alerts/rules/{name}", body)).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            Assert.Equal(field, error.GetProperty("field").GetString());
        }
        await Refused("r", new { threshold = 1 }, "kind");
        await Refused("r", new { kind = "latency", threshold = 1 }, "kind");
        await Refused("r", new { kind = "error_rate" }, "threshold");
        await Refused("r", new { kind = "error_rate", threshold = 1.5 }, "threshold");
        await Refused("r", new { kind = "slow_queries", threshold = -1 }, "threshold");
        await Refused("r", new { kind = "slow_queries", threshold = 1, window_seconds = 5 }, "window_seconds");
        await Refused("r", new { kind = "slow_queries", threshold = 1, window_seconds = 7200 }, "window_seconds");
        await Refused("r", new { kind = "slow_queries", threshold = 1, for_seconds = -1 }, "for_seconds");
        await Refused("r", new { kind = "slow_queries", threshold = 1, severity = "apocalyptic" }, "severity");
        await Refused("r", new { kind = "error_rate", threshold = 0.1, source = "jobs_db" }, "source");
        await Refused("r", new { kind = "slow_queries", threshold = 1, channels = new[] { "ok", "NOT OK" } }, "channels");
        await Refused("r", new { kind = "slow_queries", threshold = 1, min_samples = 0 }, "min_samples");
        await Refused("r", new { kind = "slow_queries", threshold = 1, repeat_interval_seconds = 5 }, "repeat_interval_seconds");
        await Refused("UPPER", new { kind = "slow_queries", threshold = 1 }, "name");
        await (await admin.DeleteAsync("/api/alerts/rules/never-made")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");

        // Changing one field keeps the others; ["*"] means every channel.
        var changed = await (await admin.PutAsJsonAsync("/api/alerts/rules/error_rate", new { threshold = 0.2, channels = new[] { "*" } })).AssertOkAsync();
        Assert.Equal(0.2, changed.GetProperty("threshold").GetDouble());
        Assert.Equal("error_rate", changed.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("channels").ValueKind);
        await (await admin.PutAsJsonAsync("/api/alerts/rules/error_rate", new { threshold = 0.1 })).AssertOkAsync();

        var (_, reader) = await gateway.CreateKeyAsync(new { owner = "alert-reader", permissions = new[] { "read", "write" } });
        using var notAdmin = gateway.CreateClient(reader);
        await (await notAdmin.GetAsync("/api/alerts")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await notAdmin.PutAsJsonAsync("/api/alerts/rules/x", new { kind = "error_rate", threshold = 0.1 })).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
