using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// A gateway process as a reader starts it (its own content root with the shipped appsettings.json, no settings)
/// on a free loopback port, and the machine's Chromium driven by Playwright. The browser may only reach loopback:
/// it goes through a proxy on a closed loopback port, and every request to another host is aborted and recorded,
/// so a test can assert that none was attempted. Screenshots go to artifacts/<paramref name="name"/>/ under the
/// test output.
/// </summary>
public abstract class BrowserGatewayFixture(string name) : IAsyncLifetime
{
    private readonly TempDirectory _contentRoot = new();
    private NodeProcess? _gateway;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public Uri Address { get; } = new($"http://127.0.0.1:{FreePort.Next()}");

    /// <summary>Screenshots of each step, kept as test artifacts.</summary>
    public string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", name);

    public NodeProcess Gateway => _gateway ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        // This run's screenshots only.
        LoopbackBrowser.ResetArtifacts(Artifacts);
        File.Copy(Path.Combine(CommandLine.RepositoryRoot, "gateway", "appsettings.json"), Path.Combine(_contentRoot.Path, "appsettings.json"));
        _gateway = NodeProcess.Start($"{name}-gateway-{Address.Port}", "gateway",
            new Dictionary<string, string> { ["ASPNETCORE_URLS"] = Address.ToString() }, _contentRoot.Path);
        await _gateway.WaitUntilReadyAsync(Address, TimeSpan.FromMinutes(2));

        _playwright = await Playwright.CreateAsync();
        _browser = await LoopbackBrowser.LaunchAsync(_playwright);
    }

    /// <summary>A fresh page whose context aborts and records every request that is not for loopback.</summary>
    public async Task<BrowserPage> NewPageAsync()
    {
        var blocked = new ConcurrentQueue<string>();
        var page = new BrowserPage(await LoopbackBrowser.NewPageAsync(_browser!, blocked), blocked, new ConcurrentQueue<string>());
        page.Page.Console += (_, message) => page.Console.Enqueue($"{message.Type}: {message.Text}");
        page.Page.PageError += (_, error) => page.Console.Enqueue($"page error: {error}");
        return page;
    }

    /// <summary>Runs a step; a failure carries a screenshot, the page's console and blocked requests, and the gateway's output.</summary>
    public async Task StepAsync(BrowserPage page, string step, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException or Xunit.Sdk.XunitException)
        {
            try
            {
                await ScreenshotAsync(page.Page, "failed-" + step);
            }
            catch (PlaywrightException)
            {
            }
            throw new InvalidOperationException(
                $"step '{step}' failed at {page.Page.Url}; screenshot failed-{step}.png in {Artifacts}\nblocked: {string.Join(", ", page.Blocked)}"
                + $"\nconsole:\n{string.Join('\n', page.Console.TakeLast(20))}\ngateway:\n{Gateway.Tail()}", e);
        }
    }

    /// <summary>The visible part of the page, or just <paramref name="element"/> (an operation with its answer).</summary>
    public async Task ScreenshotAsync(IPage page, string name, ILocator? element = null)
    {
        var path = Path.Combine(Artifacts, name + ".png");
        if (element is null)
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        }
        else
        {
            await element.ScreenshotAsync(new LocatorScreenshotOptions { Path = path });
        }
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        _contentRoot.Dispose();
    }
}

/// <summary>A page, the non-loopback requests it attempted (all aborted) and its console messages.</summary>
public sealed record BrowserPage(IPage Page, ConcurrentQueue<string> Blocked, ConcurrentQueue<string> Console);
