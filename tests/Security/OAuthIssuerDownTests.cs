using System.Net;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Issue 21 (3): when the configured issuer cannot be reached, a token cannot be checked: the caller gets 503 with
/// Retry-After in the documented shape (never a 500, and no invalid_token that would send it to sign in again), and API
/// keys keep working.
/// </summary>
[Trait("Tier", "Api")]
public sealed class OAuthIssuerDownTests : IAsyncLifetime
{
    // Nothing listens there: the discovery document cannot be read.
    private static readonly string Authority = $"http://127.0.0.1:{FreePort.Next()}";

    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["OAuth:Authority"] = Authority,
        ["OAuth:Resource"] = OAuthGateway.Resource,
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_token_that_cannot_be_checked_gets_503_and_keys_still_work()
    {
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = Part("""{"alg":"RS256","kid":"k1"}""") + "." + Part($$"""{"iss":"{{Authority}}","sub":"u","aud":"http://localhost/mcp","exp":4102444800}""") + ".c2lnbmF0dXJl";
        using var client = _gateway.CreateBearerClient(token);
        using var response = await client.GetAsync("/api/keys/me");
        var error = await response.AssertErrorAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Contains("authorization server", error.GetProperty("detail").GetString());
        Assert.NotNull(response.Headers.RetryAfter);

        using var keyed = _gateway.CreateClient(GatewayFactory.AdminKey);
        using var allowed = await keyed.GetAsync("/api/keys/me");
        await allowed.AssertOkAsync();
    }
}
