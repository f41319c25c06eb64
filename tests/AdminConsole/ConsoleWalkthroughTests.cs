using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mcp.Cluster.Tests.AdminConsole;

/// <summary>
/// Issue 22: the admin console at /console walked in the machine's Chromium as an operator would, against a gateway
/// started with no settings and signed in with the admin key it printed: create a key (its secret shown once),
/// register a model from the user guide's JSON, attach a backend, predict and see the model's chart move, set an
/// alias, revoke the key. A read-only key then gets no admin page and no admin data, judged by every answer the
/// console's own API calls received. Screenshots of every step are kept in artifacts/console-browser/ under the test
/// output (tests/bin/&lt;Configuration&gt;/net10.0/).
/// </summary>
[Trait("Tier", "System")]
public sealed class ConsoleWalkthroughTests(ConsoleBrowserFixture fixture) : IClassFixture<ConsoleBrowserFixture>
{
    [ChromiumFact]
    public async Task An_operator_walks_keys_and_models_and_a_revoked_key_stops_working()
    {
        var admin = await fixture.Gateway.BootstrapAdminKeyAsync(TimeSpan.FromMinutes(1));
        var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        string keyId = "", secret = "";

        await fixture.StepAsync(browser, "01-sign-in", async () =>
        {
            await page.GotoAsync(new Uri(fixture.Address, "/console").ToString());
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "01-sign-in");
            await page.GetByLabel("API key").FillAsync(admin);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Overview", Level = 1 })).ToBeVisibleAsync();
            // The key is in the tab's session storage, never in the address.
            Assert.DoesNotContain(admin, page.Url, StringComparison.Ordinal);
            Assert.Equal(admin, await page.EvaluateAsync<string>("sessionStorage.getItem('mcp-console-key')"));
            var menu = await page.GetByRole(AriaRole.Navigation, new() { Name = "Console sections" }).GetByRole(AriaRole.Link).AllInnerTextsAsync();
            Assert.Equal(["Overview", "Keys", "Models", "Data sources", "Alerts"], menu);
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Silos" }).GetByText("active")).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "02-overview");
        });

        await fixture.StepAsync(browser, "03-create-key", async () =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Keys", Level = 1 })).ToBeVisibleAsync();
            var create = page.GetByRole(AriaRole.Form, new() { Name = "Create a key" });
            await create.GetByLabel("Owner").FillAsync("console-walk");
            await create.GetByLabel("Description").FillAsync("made in the console");
            await create.GetByRole(AriaRole.Checkbox, new() { Name = "execute" }).CheckAsync();
            await create.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToBeVisibleAsync();
            secret = (await dialog.Locator("output.secret").InnerTextAsync()).Trim();
            keyId = (await dialog.GetByRole(AriaRole.Heading).InnerTextAsync()).Split(' ')[1];
            Assert.Matches("^mcp_[A-Za-z0-9]+_[A-Za-z0-9]+$", secret);
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
            await fixture.ScreenshotAsync(page, "03-secret-once");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
            // Shown once: the page keeps no copy of it.
            Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = keyId })).ToBeVisibleAsync();
        });
        using var http = new HttpClient { BaseAddress = fixture.Address };
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(http, secret, HttpMethod.Get, "/api/keys/me")).StatusCode);

        string modelId = "";
        await fixture.StepAsync(browser, "04-register-guide-model", async () =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Models" }).ClickAsync();
            // The user guide's "Registering your model" body, as a reader pastes it.
            await page.GetByLabel("Registration JSON").FillAsync(Mcp.Cluster.Gateway.OpenApi.GuideExamples.RegisterModel);
            await page.GetByRole(AriaRole.Button, new() { Name = "Register JSON" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "sentiment-analyzer@1.0.0", Level = 1 })).ToBeVisibleAsync();
            modelId = Uri.UnescapeDataString(page.Url.Split("#/models/")[1]);
            Assert.StartsWith("mod_", modelId);
            await fixture.ScreenshotAsync(page, "04-registered");
        });

        var traffic = page.Locator("figure[data-chart='Requests per minute']");
        await fixture.StepAsync(browser, "05-predict", async () =>
        {
            // The guide's model has no backend yet: the playground shows the gateway's answer as it is.
            var before = long.Parse(await traffic.GetAttributeAsync("data-total") ?? "0");
            await page.GetByLabel("text", new() { Exact = true }).FillAsync("This product is amazing!");
            await page.GetByRole(AriaRole.Button, new() { Name = "Predict" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "model_not_deployed" })).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Attach" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Attach a backend" })).ToHaveCountAsync(0);
            await page.GetByLabel("text", new() { Exact = true }).FillAsync("This product is amazing!");
            await page.GetByRole(AriaRole.Button, new() { Name = "Predict" }).ClickAsync();
            await Expect(page.Locator(".prediction pre")).ToContainTextAsync("\"sentiment\": \"positive\"");
            await fixture.ScreenshotAsync(page, "05-prediction");
            // The chart is fed by the model's timeline, polled every 5 s: it moves without a reload (with the refused
            // prediction, the successful one, or both).
            await Expect(traffic).Not.ToHaveAttributeAsync("data-total", before.ToString(), new() { Timeout = 30_000 });
            Assert.True(long.Parse(await traffic.GetAttributeAsync("data-total") ?? "0") > before);
            await traffic.ScrollIntoViewIfNeededAsync();
            await fixture.ScreenshotAsync(page, "06-chart-moved");
        });

        await fixture.StepAsync(browser, "07-alias-and-health", async () =>
        {
            var alias = page.GetByRole(AriaRole.Form, new() { Name = "Set an alias" });
            await alias.GetByLabel("Alias").FillAsync("production");
            await alias.GetByRole(AriaRole.Button, new() { Name = "Set alias" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Aliases" }).GetByText("sentiment-analyzer@production")).ToBeVisibleAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Run health check now" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Health check passed");
            await fixture.ScreenshotAsync(page, "07-model");
        });
        using (var predicted = await SendAsync(http, secret, HttpMethod.Post, "/api/models/sentiment-analyzer@production/predict", new { text = "Not satisfied with the quality." }))
        {
            Assert.Equal(HttpStatusCode.OK, predicted.StatusCode);
        }

        await fixture.StepAsync(browser, "08-revoke", async () =>
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Keys" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {keyId}" }).ClickAsync();
            var dialog = page.GetByRole(AriaRole.Dialog);
            await Expect(dialog).ToContainTextAsync("console-walk");
            await dialog.GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
            var row = page.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = keyId }) });
            await Expect(row.GetByText("revoked")).ToBeVisibleAsync();
            await fixture.ScreenshotAsync(page, "08-revoked");
        });
        using (var refused = await SendAsync(http, secret, HttpMethod.Get, "/api/keys/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await fixture.StepAsync(browser, "09-overview", async () =>
        {
            // The walk's traffic on the cluster's page: the model it registered among the busiest (the README's picture).
            await page.GetByRole(AriaRole.Link, new() { Name = "Overview" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Top models" }).GetByRole(AriaRole.Link, new() { Name = modelId })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await fixture.ScreenshotAsync(page, "09-overview");
        });
        AssertClean(browser);
    }

    [ChromiumFact]
    public async Task A_read_only_key_gets_no_admin_page_and_no_admin_data_from_the_consoles_own_calls()
    {
        var admin = await fixture.Gateway.BootstrapAdminKeyAsync(TimeSpan.FromMinutes(1));
        using var http = new HttpClient { BaseAddress = fixture.Address };
        var adminId = (await JsonAsync(await SendAsync(http, admin, HttpMethod.Get, "/api/keys/me"))).GetProperty("key_id").GetString()!;
        var created = await JsonAsync(await SendAsync(http, admin, HttpMethod.Post, "/api/keys", new { owner = "console-reader", permissions = new[] { "read" } }));
        var reader = created.GetProperty("api_key").GetString()!;
        var readerId = created.GetProperty("key_id").GetString()!;

        var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        var answers = new ConcurrentQueue<(string Path, int Status, string Body)>();
        page.Response += async (_, response) =>
        {
            var url = new Uri(response.Url);
            if (url.AbsolutePath.StartsWith("/console", StringComparison.Ordinal))
            {
                return;
            }
            string body;
            try
            {
                body = await response.TextAsync();
            }
            catch (PlaywrightException)
            {
                body = "";
            }
            answers.Enqueue((url.PathAndQuery, response.Status, body));
        };

        await fixture.StepAsync(browser, "10-reader-sign-in", async () =>
        {
            await page.GotoAsync(new Uri(fixture.Address, "/console/").ToString());
            await page.GetByLabel("API key").FillAsync(reader);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your usage", Level = 1 })).ToBeVisibleAsync();
            var menu = await page.GetByRole(AriaRole.Navigation, new() { Name = "Console sections" }).GetByRole(AriaRole.Link).AllInnerTextsAsync();
            Assert.Equal(["Overview", "Keys", "Models", "Data sources"], menu);
            await fixture.ScreenshotAsync(page, "10-reader-overview");
        });

        await fixture.StepAsync(browser, "11-reader-pages", async () =>
        {
            // Every page, also those the menu does not offer and another key's page, typed into the address bar.
            foreach (var route in new[] { "#/keys", "#/models", "#/data", "#/data/jobs_db", "#/alerts", $"#/keys/{adminId}", "#/models/sentiment", "#/overview" })
            {
                await page.GotoAsync(new Uri(fixture.Address, "/console/" + route).ToString());
                await Expect(page.Locator("main h1")).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            }
            await page.GotoAsync(new Uri(fixture.Address, "/console/#/alerts").ToString());
            await Expect(page.GetByRole(AriaRole.Note)).ToContainTextAsync("needs a key with the admin permission");
            await fixture.ScreenshotAsync(page, "11-reader-alerts");
        });

        var seen = answers.ToArray();
        Assert.NotEmpty(seen);
        Assert.Contains(seen, a => a.Path == "/api/keys/me" && a.Status == 200);
        foreach (var (path, status, body) in seen.Where(a => a.Status is >= 200 and < 300))
        {
            // Nothing only an admin may read: the cluster summary, alerts, audit, grants, the silos, other keys.
            Assert.False(path.StartsWith("/summary", StringComparison.Ordinal) || path.StartsWith("/api/alerts", StringComparison.Ordinal)
                || path.StartsWith("/api/audit", StringComparison.Ordinal) || path.Contains("/grants", StringComparison.Ordinal)
                || path.StartsWith("/api/cluster", StringComparison.Ordinal) || path.Contains("/preview", StringComparison.Ordinal),
                $"{path} answered {status} to a read-only key");
            Assert.DoesNotContain($"\"key_id\":\"{adminId}\"", body, StringComparison.Ordinal);
        }
        // What it asked for beyond its permissions (another key's page) was refused by the API itself.
        Assert.Contains(seen, a => a.Path == $"/api/keys/{adminId}" && a.Status == 404);
        Assert.DoesNotContain(seen, a => a.Body.Contains(admin, StringComparison.Ordinal) || a.Body.Contains(reader, StringComparison.Ordinal));
        Assert.Contains(readerId, seen.Single(a => a.Path == "/api/keys/me").Body, StringComparison.Ordinal);
        AssertClean(browser);
    }

    [ChromiumFact]
    public async Task Every_page_passes_the_axe_accessibility_checks()
    {
        var admin = await fixture.Gateway.BootstrapAdminKeyAsync(TimeSpan.FromMinutes(1));
        var browser = await fixture.NewPageAsync();
        var page = browser.Page;
        await NodeClients.EnsureInstalledAsync();
        var axe = await File.ReadAllTextAsync(Path.Combine(NodeClients.Directory, "node_modules", "axe-core", "axe.min.js"));
        var failures = new List<string>();
        await fixture.StepAsync(browser, "20-axe", async () =>
        {
            await page.GotoAsync(new Uri(fixture.Address, "/console/").ToString());
            failures.AddRange(await AxeAsync(page, axe, "sign-in"));
            await page.GetByLabel("API key").FillAsync(admin);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            foreach (var route in new[] { "#/overview", "#/keys", "#/models", "#/models/sentiment", "#/data", "#/data/jobs_db", "#/alerts" })
            {
                await page.GotoAsync(new Uri(fixture.Address, "/console/" + route).ToString());
                await Expect(page.Locator("main h1")).ToBeVisibleAsync();
                await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
                failures.AddRange(await AxeAsync(page, axe, route));
            }
        });
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        AssertClean(browser);
    }

    /// <summary>axe-core's serious and critical findings on the page as it is now (WCAG 2 A and AA rules).</summary>
    private static async Task<IEnumerable<string>> AxeAsync(IPage page, string axe, string where)
    {
        // Evaluated through the debugging protocol, which the page's content security policy does not govern.
        await page.EvaluateAsync(axe + ";0");
        var result = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))");
        return result.EnumerateArray().Select(v => $"{where}: {v.GetProperty("id")} ({v.GetProperty("help")}) at {v.GetProperty("nodes")}");
    }

    private static void AssertClean(BrowserPage browser)
    {
        Assert.Empty(browser.Blocked);
        Assert.DoesNotContain(browser.Console, line => line.StartsWith("page error", StringComparison.Ordinal));
        // Refused API calls log a failed resource load (the console shows them on the page); nothing else may.
        Assert.DoesNotContain(browser.Console, line => line.StartsWith("error", StringComparison.Ordinal) && !line.Contains("Failed to load resource", StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, string key, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }
    }

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
