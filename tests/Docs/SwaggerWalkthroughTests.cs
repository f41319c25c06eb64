using System.Text.Json.Nodes;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mcp.Cluster.Tests.Docs;

/// <summary>
/// Issue 17 item 5: the user guide's "Using Swagger UI" section, clicked through in the machine's Chromium against a
/// gateway process started with no settings: a key from the pre-filled example, Authorize, the pre-filled model
/// registration, predict (409 model_not_deployed until a backend is attached, then an answer), batch, status and
/// metrics. ReDoc renders too, and neither page tries to reach anything but the gateway. Screenshots of every step
/// are kept in artifacts/docs-browser/ under the test output (tests/bin/&lt;Configuration&gt;/net10.0/).
/// </summary>
[Trait("Tier", "System")]
public sealed class SwaggerWalkthroughTests(DocsBrowserFixture fixture) : IClassFixture<DocsBrowserFixture>
{
    [ChromiumFact]
    public async Task The_guides_swagger_steps_work_in_a_real_browser()
    {
        var docs = await fixture.NewPageAsync();
        var page = docs.Page;
        string apiKey = "", modelId = "";
        ILocator predict = page.Locator("#operations-Predictions-Predict");

        await fixture.StepAsync(docs, "1-api-key", async () =>
        {
            await page.GotoAsync(new Uri(fixture.Address, "/docs").ToString());
            var keysSection = page.Locator("#operations-tag-API_Keys");
            await keysSection.WaitForAsync();
            var sections = await page.Locator("h3.opblock-tag").AllAsync();
            Assert.Equal(["API Keys", "Models", "Predictions", "Monitoring"],
                (await Task.WhenAll(sections.Take(4).Select(s => s.GetAttributeAsync("data-tag")))).Select(t => t ?? "").ToArray());
            await fixture.ScreenshotAsync(page, "01-docs");
            await ExpandAsync(keysSection);
            var createKey = await OpenAsync(page, "API_Keys", "CreateApiKey");
            AssertJsonEqual("""{"owner": "your.email@example.com", "description": "Model deployment key"}""", await BodyAsync(createKey));
            var issued = await ExecuteAsync(createKey, 201);
            apiKey = issued["api_key"]!.GetValue<string>();
            Assert.StartsWith("mcp_", apiKey);
            Assert.Equal(["read", "write", "execute"], issued["permissions"]!.AsArray().Select(p => p!.GetValue<string>()));
            await fixture.ScreenshotAsync(page, "02-api-key-created", createKey);
        });

        await fixture.StepAsync(docs, "2-authorize", async () =>
        {
            await page.Locator(".auth-wrapper button.authorize").ClickAsync();
            var dialog = page.Locator(".dialog-ux .modal-ux");
            await dialog.WaitForAsync();
            var apiKeyScheme = dialog.Locator(".auth-container").Filter(new LocatorFilterOptions { Has = page.Locator("#api_key_value") });
            Assert.Contains("X-API-Key", await apiKeyScheme.InnerTextAsync());
            await page.Locator("#api_key_value").FillAsync(apiKey);
            await apiKeyScheme.Locator("button.authorize").ClickAsync();
            await fixture.ScreenshotAsync(page, "03-authorized");
            await dialog.Locator("button.btn-done").First.ClickAsync();
            await dialog.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        });

        await fixture.StepAsync(docs, "3-register-model", async () =>
        {
            await ExpandAsync(page.Locator("#operations-tag-Models"));
            var register = await OpenAsync(page, "Models", "RegisterModel");
            Assert.Equal("sentiment-analyzer", (await BodyAsync(register))["name"]!.GetValue<string>());
            var registered = await ExecuteAsync(register, 201);
            modelId = registered["model_id"]!.GetValue<string>();
            Assert.Equal("registered", registered["status"]!.GetValue<string>());
            await fixture.ScreenshotAsync(page, "04-model-registered", register);
        });

        await fixture.StepAsync(docs, "4-predict", async () =>
        {
            // Without a backend the model says so, and how to attach one.
            await ExpandAsync(page.Locator("#operations-tag-Predictions"));
            predict = await OpenAsync(page, "Predictions", "Predict");
            await FillPathAsync(predict, "model_id", modelId);
            AssertJsonEqual("""{"text": "This product is amazing!"}""", await BodyAsync(predict));
            var notDeployed = await ExecuteAsync(predict, 409);
            Assert.Equal("model_not_deployed", notDeployed["error"]!.GetValue<string>());
            await fixture.ScreenshotAsync(page, "05-predict-not-deployed", predict);

            // The 409's own advice, through Swagger UI: attach the built-in sentiment model.
            var update = await OpenAsync(page, "Models", "UpdateModel");
            await FillPathAsync(update, "model_id", modelId);
            await update.Locator("textarea.body-param__text").FillAsync("""{"provider": "builtin", "config": {"model": "sentiment"}}""");
            await ExecuteAsync(update, 200);

            var predicted = await ExecuteAsync(predict, 200);
            Assert.Equal("positive", predicted["sentiment"]?.GetValue<string>());
            await fixture.ScreenshotAsync(page, "06-predicted", predict);
        });

        await fixture.StepAsync(docs, "4-batch", async () =>
        {
            var batch = await OpenAsync(page, "Predictions", "PredictBatch");
            await FillPathAsync(batch, "model_id", modelId);
            AssertJsonEqual("""{"inputs": [{"text": "This product is amazing!"}, {"text": "Not satisfied with the quality."}]}""", await BodyAsync(batch));
            var predictions = (await ExecuteAsync(batch, 200))["predictions"]!.AsArray();
            Assert.Equal(["positive", "negative"], predictions.Select(p => p!["sentiment"]?.GetValue<string>() ?? ""));
            await fixture.ScreenshotAsync(page, "07-batch-predicted", batch);
        });

        await fixture.StepAsync(docs, "5-6-status-and-metrics", async () =>
        {
            // Both under "Models", as the guide's steps 5 and 6 say.
            var status = await OpenAsync(page, "Models", "GetModelStatus");
            await FillPathAsync(status, "model_id", modelId);
            var report = await ExecuteAsync(status, 200);
            Assert.True(report["total_requests"]!.GetValue<long>() >= 1, report.ToJsonString());
            var metrics = await OpenAsync(page, "Models", "GetModelMetrics");
            await FillPathAsync(metrics, "model_id", modelId);
            var daily = await ExecuteAsync(metrics, 200);
            Assert.NotNull(daily["daily_requests"]);
            await fixture.ScreenshotAsync(page, "08-status", status);
            await fixture.ScreenshotAsync(page, "09-metrics", metrics);
        });

        Assert.True(docs.Blocked.IsEmpty, "Swagger UI tried to reach other hosts: " + string.Join(", ", docs.Blocked));
    }

    [ChromiumFact]
    public async Task Redoc_renders_with_no_request_beyond_the_gateway()
    {
        var docs = await fixture.NewPageAsync();
        var page = docs.Page;
        var loaded = new List<string>();
        page.Request += (_, request) => loaded.Add(request.Url);
        await fixture.StepAsync(docs, "redoc", async () =>
        {
            await page.GotoAsync(new Uri(fixture.Address, "/redoc/index.html").ToString());
            await page.GetByText("Create, list, rotate and revoke API keys").First.WaitForAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await fixture.ScreenshotAsync(page, "10-redoc");
            // ReDoc 3 batches its usage telemetry and sends it when the page goes away: leave the page so anything
            // queued would be attempted now, where the route sees it.
            await page.GotoAsync("about:blank");
        });

        Assert.Contains(loaded, url => url.EndsWith("/openapi/v1.json", StringComparison.Ordinal));
        var elsewhere = loaded.Where(url => url.StartsWith("http", StringComparison.Ordinal) && new Uri(url).Host is not ("127.0.0.1" or "localhost"))
            .Concat(docs.Blocked).Distinct().ToArray();
        Assert.True(elsewhere.Length == 0, "ReDoc tried to reach other hosts: " + string.Join(", ", elsewhere));

        using var http = new HttpClient { BaseAddress = fixture.Address };
        using var icon = await http.GetAsync("/favicon.ico");
        Assert.True(icon.IsSuccessStatusCode, $"/favicon.ico: {(int)icon.StatusCode}");
    }

    /// <summary>The guide's "Expand the … section": opened unless Swagger UI shows it open already.</summary>
    private static async Task ExpandAsync(ILocator section)
    {
        await section.WaitForAsync();
        if (await section.GetAttributeAsync("data-is-open") != "true")
        {
            await section.ClickAsync();
        }
    }

    /// <summary>"Click on POST …", then "Try it out".</summary>
    private static async Task<ILocator> OpenAsync(IPage page, string tag, string operationId)
    {
        var operation = page.Locator($"#operations-{tag}-{operationId}");
        await operation.Locator(".opblock-summary-control").ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        await operation.Locator("button.execute").WaitForAsync();
        return operation;
    }

    private static async Task FillPathAsync(ILocator operation, string name, string value) =>
        await operation.Locator($"tr[data-param-name=\"{name}\"] input").FillAsync(value);

    private static async Task<JsonNode> BodyAsync(ILocator operation) =>
        JsonNode.Parse(await operation.Locator("textarea.body-param__text").InputValueAsync())!;

    /// <summary>"Click Execute", then the server response's status and body as Swagger UI shows them.</summary>
    private static async Task<JsonNode> ExecuteAsync(ILocator operation, int expectedStatus)
    {
        var previous = await operation.Locator(".live-responses-table").CountAsync() > 0
            ? await operation.Locator(".live-responses-table .response-col_description pre").First.InnerTextAsync()
            : null;
        // A previous answer stays on screen until the new one replaces it: clear it first when there is a button for it.
        var clear = operation.Locator("button.btn-clear");
        if (await clear.CountAsync() > 0)
        {
            await clear.ClickAsync();
            await operation.Locator(".live-responses-table").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });
        }
        await operation.Locator("button.execute").ClickAsync();
        var statusCell = operation.Locator(".live-responses-table .response .response-col_status").First;
        await statusCell.WaitForAsync();
        var status = (await statusCell.InnerTextAsync()).Trim();
        var body = await operation.Locator(".live-responses-table .response-col_description pre").First.InnerTextAsync();
        Assert.True(status.StartsWith(expectedStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            $"expected {expectedStatus}, Swagger UI shows {status}: {body} (before: {previous})");
        return JsonNode.Parse(body)!;
    }

    private static void AssertJsonEqual(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual {actual.ToJsonString()}");
}
