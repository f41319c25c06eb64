using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Mcp.Cluster.Gateway.AdminConsole;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.AdminConsole;

/// <summary>
/// The console's files as the gateway serves them: from the assembly, under a policy that allows only the gateway's
/// own scripts and connections, revalidated by entity tag, every module a page imports present, and nothing but
/// the listed files reachable under /console (no file system path, however spelled).
/// </summary>
[Trait("Tier", "Api")]
public sealed partial class ConsoleAssetTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(null);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task The_console_opens_at_console_under_a_policy_that_allows_only_the_gateway()
    {
        using var http = _gateway.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using (var bare = await http.GetAsync("/console"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/console/", bare.Headers.Location!.OriginalString);
        }
        using var page = await http.GetAsync("/console/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal(ConsoleEndpoints.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("script-src 'self'", ConsoleEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", ConsoleEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", ConsoleEndpoints.ContentSecurityPolicy, StringComparison.Ordinal);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        var html = await page.Content.ReadAsStringAsync();
        // No inline script or style for the policy to have to allow, and nothing from another origin.
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)", html);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("(src|href)=\"(https?:)?//", html);
    }

    [Fact]
    public async Task Every_file_the_page_and_its_modules_load_is_served_with_its_type()
    {
        using var http = _gateway.CreateClient();
        var pending = new Queue<string>(["index.html"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }
            using var response = await http.GetAsync("/console/" + path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            var type = response.Content.Headers.ContentType!.MediaType;
            Assert.Equal(Path.GetExtension(path) switch { ".html" => "text/html", ".js" => "text/javascript", ".css" => "text/css", _ => type }, type);
            if (Path.GetExtension(path) is not (".html" or ".js"))
            {
                continue;
            }
            var text = await response.Content.ReadAsStringAsync();
            var links = Path.GetExtension(path) == ".html"
                ? HtmlReference().Matches(text).Select(m => m.Groups["path"].Value).Where(p => !p.StartsWith('/') && !p.StartsWith('#'))
                : ModuleImport().Matches(text).Select(m => m.Groups["path"].Value);
            foreach (var link in links)
            {
                pending.Enqueue(Resolve(path, link));
            }
        }
        Assert.Contains("js/app.js", seen);
        Assert.Contains("js/pages/models.js", seen);
        Assert.Contains("vendor/uplot/uPlot.iife.min.js", seen);
        Assert.True(seen.Count >= 12, string.Join(", ", seen));
    }

    [Fact]
    public async Task Files_are_revalidated_by_entity_tag_and_large_ones_come_gzip_compressed()
    {
        using var http = _gateway.CreateClient();
        using var first = await http.GetAsync("/console/vendor/uplot/uPlot.iife.min.js");
        Assert.Equal("no-cache", first.Headers.CacheControl!.ToString());
        var tag = first.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/vendor/uplot/uPlot.iife.min.js");
        again.Headers.IfNoneMatch.Add(tag);
        using (var notModified = await http.SendAsync(again))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
        using var compressed = new HttpRequestMessage(HttpMethod.Get, "/console/vendor/uplot/uPlot.iife.min.js");
        compressed.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var gzip = await http.SendAsync(compressed);
        Assert.Equal("gzip", gzip.Content.Headers.ContentEncoding.Single());
        Assert.True((await gzip.Content.ReadAsByteArrayAsync()).Length < (await first.Content.ReadAsByteArrayAsync()).Length / 2);
    }

    [Theory]
    [InlineData("/console/nope.js")]
    [InlineData("/console/../appsettings.json")]
    [InlineData("/console/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("/console/..%2f..%2fappsettings.json")]
    [InlineData("/console/js/../../../gateway/appsettings.json")]
    [InlineData("/console//etc/passwd")]
    [InlineData("/console/JS/APP.JS")]
    public async Task Anything_but_a_listed_file_is_a_404_in_the_error_shape(string path)
    {
        using var http = _gateway.CreateClient();
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.DoesNotContain("\"Logging\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        if (response.StatusCode == HttpStatusCode.NotFound && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task The_console_needs_no_key_to_load_and_grants_none_by_itself()
    {
        // The files are public; everything the console shows comes from API calls that carry the signed-in key.
        using var anonymous = _gateway.CreateClient();
        using (var script = await anonymous.GetAsync("/console/js/api.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            var text = await script.Content.ReadAsStringAsync();
            Assert.Contains("\"X-API-Key\"", text, StringComparison.Ordinal);
            Assert.Contains("sessionStorage", text, StringComparison.Ordinal);
            Assert.DoesNotContain("localStorage", text, StringComparison.Ordinal);
        }
        using var summary = await anonymous.GetAsync("/summary");
        await summary.AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        // A POST to the console is not an API: no endpoint takes it.
        using var posted = await anonymous.PostAsync("/console/", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, posted.StatusCode);
    }

    [Fact]
    public async Task Loading_the_console_is_not_counted_as_traffic()
    {
        using var admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var before = await CountedAsync(admin);
        using var anonymous = _gateway.CreateClient();
        foreach (var file in new[] { "", "js/app.js", "js/api.js", "js/ui.js", "js/chart.js", "console.css", "js/pages/overview.js", "js/pages/keys.js", "js/pages/models.js", "vendor/uplot/uPlot.iife.min.js" })
        {
            using var response = await anonymous.GetAsync("/console/" + file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        // Only the first /summary call itself (recorded as it finished) may have been counted since.
        Assert.InRange(await CountedAsync(admin) - before, 0, 2);

        static async Task<long> CountedAsync(HttpClient admin)
        {
            var pipeline = (await admin.GetJsonAsync("/summary")).GetProperty("pipeline");
            return pipeline.GetProperty("published").GetInt64() + pipeline.GetProperty("buffered").GetInt64() + pipeline.GetProperty("dropped").GetInt64();
        }
    }

    private static string Resolve(string from, string link)
    {
        var directory = Path.GetDirectoryName(from) ?? "";
        var combined = Path.GetFullPath(Path.Combine("/" + directory, link));
        return combined.TrimStart('/');
    }

    [GeneratedRegex("(?:src|href)=\"(?<path>[^\"]+)\"")]
    private static partial Regex HtmlReference();

    [GeneratedRegex("(?:import|from)\\s*\"(?<path>\\.{1,2}/[^\"]+)\"")]
    private static partial Regex ModuleImport();
}
