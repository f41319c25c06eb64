using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Mcp.Cluster.Tests.Infrastructure;

/// <summary>
/// The machine's Chromium, headless, kept to loopback: it goes through a proxy on a closed loopback port, and each
/// page's context aborts (and records) every request for another host, so a test can assert that none was attempted.
/// </summary>
public static class LoopbackBrowser
{
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        // Only reached as root where ChromiumFact does not skip, and there tests/run installs the browser.
        var chromium = SystemChromium.Find() ?? throw new InvalidOperationException(SystemChromium.HowToInstall);
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Belt and braces beside each context's route: anything not for loopback goes to a port where nothing listens.
            Proxy = new Proxy { Server = "http://127.0.0.1:9", Bypass = "127.0.0.1,localhost" },
        });
    }

    /// <summary>A page in a fresh context (1400×1000, the suite's scaled 30 s timeout) that records what it tried to reach elsewhere in <paramref name="blocked"/>.</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, ConcurrentQueue<string> blocked)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        context.SetDefaultTimeout((float)Deadlines.Scaled(TimeSpan.FromSeconds(30)).TotalMilliseconds);
        await context.RouteAsync("**/*", async route =>
        {
            if (new Uri(route.Request.Url).Host is "127.0.0.1" or "localhost" or "[::1]")
            {
                await route.ContinueAsync();
                return;
            }
            blocked.Enqueue(route.Request.Url);
            await route.AbortAsync("blockedbyclient");
        });
        return await context.NewPageAsync();
    }

    /// <summary>Clears <paramref name="directory"/> for this run's screenshots.</summary>
    public static void ResetArtifacts(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
    }
}
