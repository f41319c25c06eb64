using System.Collections.Concurrent;
using Mcp.Cluster.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Mcp.Cluster.Tests.AdminConsole;

/// <summary>
/// A gateway process in its local default (co-hosted silo, the sample sources) with the test admin key, and the
/// machine's Chromium driven by Playwright for the console's data-source and alert pages. The browser may only reach
/// loopback (a proxy on a closed port, and every other request aborted and recorded). Screenshots of each step go to
/// artifacts/console-data-alerts/ under the test output.
/// </summary>
public sealed class ConsolePagesBrowserFixture : IAsyncLifetime
{
    private readonly GatewayProcess _gateway = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri Address => _gateway.BaseAddress;

    public string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "console-data-alerts");

    public GatewayProcess Gateway => _gateway;

    public async Task InitializeAsync()
    {
        LoopbackBrowser.ResetArtifacts(Artifacts);
        await _gateway.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await LoopbackBrowser.LaunchAsync(_playwright);
    }

    /// <summary>A fresh page that records console errors, page errors and every attempt to leave loopback.</summary>
    public async Task<ConsolePage> NewPageAsync()
    {
        var blocked = new ConcurrentQueue<string>();
        var page = new ConsolePage(await LoopbackBrowser.NewPageAsync(_browser!, blocked), new ConcurrentQueue<string>(), new ConcurrentQueue<string>(), blocked);
        page.Page.Console += (_, message) =>
        {
            if (message.Type != "error")
            {
                return;
            }
            // The browser logs every 4xx answer of fetch() as a console error; the pages handle those (error boxes),
            // so they are kept apart from real errors.
            if (message.Text.StartsWith("Failed to load resource: the server responded with a status of 4", StringComparison.Ordinal))
            {
                page.ApiRefusals.Enqueue($"{message.Text} ({message.Location})");
            }
            else
            {
                page.Errors.Enqueue($"console error: {message.Text} ({message.Location})");
            }
        };
        page.Page.PageError += (_, error) => page.Errors.Enqueue($"page error: {error}");
        return page;
    }

    public async Task StepAsync(ConsolePage page, string step, Func<Task> action)
    {
        try
        {
            await action();
            Assert.True(page.Errors.IsEmpty, $"errors in the page during '{step}':\n{string.Join('\n', page.Errors)}");
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            try
            {
                await page.Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, $"failed-{step}.png"), FullPage = true });
            }
            catch (PlaywrightException)
            {
            }
            throw new InvalidOperationException(
                $"step '{step}' failed at {page.Page.Url}; screenshot failed-{step}.png in {Artifacts}\nerrors: {string.Join('\n', page.Errors)}"
                + $"\nrefused calls: {string.Join('\n', page.ApiRefusals.TakeLast(10))}\nblocked: {string.Join(", ", page.Blocked)}", e);
        }
    }

    public Task ScreenshotAsync(IPage page, string name, ILocator? element = null) => element is null
        ? page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true })
        : element.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Artifacts, name + ".png") });

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        await _gateway.DisposeAsync();
    }
}

/// <summary>A console page with its errors, the API refusals the browser logged, and the non-loopback requests it attempted.</summary>
public sealed record ConsolePage(IPage Page, ConcurrentQueue<string> Errors, ConcurrentQueue<string> ApiRefusals, ConcurrentQueue<string> Blocked);
