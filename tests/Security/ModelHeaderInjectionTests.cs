using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// A model's configured headers cannot split or reroute its outbound requests: a CR/LF (or other control
/// character) in a value, a name that is not a token, and framing or routing headers (Host, Content-Length,
/// Transfer-Encoding, ...) are refused at registration and PATCH with 400 naming the field.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ModelHeaderInjectionTests(SharedGatewayFactory gateway) : IAsyncLifetime
{
    private const string Smuggle = "a\r\nContent-Length: 0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private readonly ModelServiceWireServer _service = new("svc-secret");

    public Task InitializeAsync() => _service.StartAsync();

    public Task DisposeAsync() => _service.DisposeAsync().AsTask();

    private static object HttpModel(string url, Dictionary<string, string> headers) => new
    {
        name = SecurityGateway.UniqueName("hdr"),
        provider = "http",
        input_schema = new { type = "object" },
        config = new { url, headers, max_retries = 0 },
    };

    [Fact]
    public async Task A_crlf_header_value_is_refused_for_a_non_admin()
    {
        using var client = await gateway.NonAdminClientAsync("crlf");
        using var response = await client.PostAsJsonAsync("/api/models",
            HttpModel("https://service.example/predict", new() { ["X-A"] = Smuggle }));
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("config.headers.X-A", error.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("Host", "evil.example")]
    [InlineData("Content-Length", "0")]
    [InlineData("Transfer-Encoding", "chunked")]
    [InlineData("Connection", "close")]
    [InlineData("Proxy-Authorization", "Basic x")]
    [InlineData("X Bad", "name with a space")]
    [InlineData("X-Nul", "a\0b")]
    [InlineData("X-Lf", "a\nb")]
    public async Task Framing_headers_bad_names_and_control_characters_are_refused(string name, string value)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.PostAsJsonAsync("/api/models",
            HttpModel(new Uri(_service.BaseUri, "predict").ToString(), new() { ["X-Service-Key"] = "svc-secret", [name] = value }));
        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal($"config.headers.{name}", error.GetProperty("field").GetString());
    }

    [Fact]
    public async Task The_upstream_never_sees_a_smuggled_request_from_an_admin_registration_or_patch()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var url = new Uri(_service.BaseUri, "predict").ToString();
        using (var register = await admin.PostAsJsonAsync("/api/models", HttpModel(url, new() { ["X-Service-Key"] = "svc-secret", ["X-A"] = Smuggle })))
        {
            await register.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        }
        var id = await admin.RegisterModelAsync(HttpModel(url, new() { ["X-Service-Key"] = "svc-secret" }));
        await admin.PatchJsonAsync($"/api/models/{id}", new { config = new { headers = new Dictionary<string, string> { ["X-A"] = Smuggle } } },
            HttpStatusCode.BadRequest);
        await admin.PatchJsonAsync($"/api/models/{id}", new { config = new { headers = new Dictionary<string, string> { ["Host"] = "evil.example" } } },
            HttpStatusCode.BadRequest);

        using var predict = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 100 });
        await predict.AssertOkAsync();
        Assert.Equal(0, _service.Count("/smuggled"));
        Assert.All(_service.Requests, r => Assert.Equal("/predict", r.Path));
    }
}
