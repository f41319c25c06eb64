using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary>The Orleans Dashboard, mounted at /dashboard for admin keys, which a browser sends as the HTTP Basic password.</summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class DashboardTests(SharedGatewayFactory gateway)
{
    private static AuthenticationHeaderValue Basic(string key) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + key)));

    [Fact]
    public async Task A_browser_is_challenged_and_an_admin_key_opens_the_dashboard()
    {
        using var anonymous = gateway.CreateClient();
        using (var challenged = await anonymous.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
            Assert.Equal("Basic", Assert.Single(challenged.Headers.WwwAuthenticate).Scheme);
        }

        using var browser = gateway.CreateClient();
        browser.DefaultRequestHeaders.Authorization = Basic(GatewayFactory.AdminKey);
        using (var page = await browser.GetAsync("/dashboard/"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>Orleans Dashboard</title>", await page.Content.ReadAsStringAsync());
        }
        // The data the page polls: this gateway's co-hosted silo is active, and the alert evaluator's reminder is registered.
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var counters = await browser.GetJsonAsync("/dashboard/DashboardCounters");
            return counters.GetProperty("hosts").EnumerateArray().Any(h => h.GetProperty("status").GetString() == "Active");
        }, TimeSpan.FromSeconds(20), "the dashboard to report an active silo");
        var reminders = await browser.GetStringAsync("/dashboard/Reminders/1");
        Assert.Contains("keep-evaluating", reminders);

        // Headers work as everywhere else; a key without admin, or a wrong one, does not.
        using (var header = gateway.CreateClient(GatewayFactory.AdminKey))
        using (var ok = await header.GetAsync("/dashboard/ClusterStats"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        var (_, reader) = await gateway.CreateKeyAsync(new { owner = "dashboard-viewer", permissions = new[] { "read" } });
        using var notAdmin = gateway.CreateClient();
        notAdmin.DefaultRequestHeaders.Authorization = Basic(reader);
        await (await notAdmin.GetAsync("/dashboard/DashboardCounters")).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        using var wrong = gateway.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = Basic(GatewayFactory.AdminKey[..^4] + "zzzz");
        await (await wrong.GetAsync("/dashboard/DashboardCounters")).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
        // Basic credentials are for the dashboard only, not the API.
        await (await browser.GetAsync("/api/keys/me")).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }
}
