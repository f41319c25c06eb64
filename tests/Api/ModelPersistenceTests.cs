using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Api;

[Trait("Tier", "Api")]
public sealed class ModelPersistenceTests
{
    [Fact]
    public async Task Models_aliases_counters_and_encrypted_secrets_survive_a_restart()
    {
        using var data = new TempDirectory();
        await using var openAi = new OpenAiWireServer("sk-survivor-secret");
        await openAi.StartAsync();
        string id;
        var name = $"survivor-{Guid.NewGuid():N}"[..30];

        await using (var first = new GatewayFactory(new Dictionary<string, string?>(), data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            id = await admin.RegisterModelAsync(new
            {
                name,
                version = "2.0.0",
                provider = "openai",
                config = new { base_url = openAi.V1.ToString(), api_key = "sk-survivor-secret", provider_model = "gpt-test" },
            });
            using (var alias = await admin.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "2.0.0" }))
            {
                await alias.AssertOkAsync();
            }
            for (var i = 0; i < 3; i++)
            {
                using var predicted = await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { messages = new[] { new { role = "user", content = "before" } } });
                await predicted.AssertOkAsync();
            }
        }

        var healthChecksBefore = openAi.Count("/v1/models");
        await using var second = new GatewayFactory(new Dictionary<string, string?>(), data.Path);
        using var client = second.CreateClient(GatewayFactory.AdminKey);
        // The health loop runs again after the restart without any request having touched the model.
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult(openAi.Count("/v1/models") > healthChecksBefore),
            TimeSpan.FromSeconds(15), "a health check after restart");
        var model = await client.GetJsonAsync($"/api/models/{name}@production");
        Assert.Equal(id, model.GetProperty("model_id").GetString());
        Assert.Equal("********", model.GetProperty("config").GetProperty("api_key").GetString());
        Assert.Equal(3, (await client.GetJsonAsync($"/api/models/{id}/status")).GetProperty("total_requests").GetInt64());

        // The secret decrypts with the persisted key ring and still reaches the provider.
        using var after = await client.PostAsJsonAsync($"/api/models/{name}@production/predict", new { messages = new[] { new { role = "user", content = "after" } } });
        Assert.Equal("echo: after", (await after.AssertOkAsync()).GetProperty("text").GetString());
        Assert.Equal("active", await client.StatusOfAsync(id));
        Assert.Equal(1, (await client.GetJsonAsync($"/api/models?name={name}")).GetProperty("total").GetInt32());
        // The built-in model was seeded once, not once per start.
        Assert.Equal(1, (await client.GetJsonAsync("/api/models?name=sentiment")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Seeding_the_built_in_model_can_be_turned_off()
    {
        await using var gateway = new GatewayFactory(new Dictionary<string, string?> { ["Models:SeedBuiltInModels"] = "false" });
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        // Start-up seeds (or not) and then wakes the registered models in the background, logging how many it woke:
        // once that line is there, seeding has had its chance, and it found nothing to wake.
        _ = gateway.Server;
        string? woke = null;
        await ModelTestHelpers.EventuallyAsync(() => Task.FromResult((woke = gateway.Logs.FirstOrDefault(line =>
                line.Contains("Models.ModelStartup:") && (line.Contains(" registered models") || line.Contains("failed")))) is not null),
            TimeSpan.FromSeconds(60), "the model start-up to have run");
        Assert.Contains("Woke 0 registered models", woke);

        using var response = await admin.GetAsync("/api/models/sentiment");

        await response.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task With_a_certificate_the_key_ring_itself_is_encrypted_and_still_opens_after_a_restart()
    {
        using var data = new TempDirectory();
        var pfx = Path.Combine(data.Path, "keyring.pfx");
        using (var rsa = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
                "CN=mcp-key-ring", rsa, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "pfx-pass"));
        }
        var settings = new Dictionary<string, string?>
        {
            ["Models:Secrets:KeyRingCertificatePath"] = pfx,
            ["Models:Secrets:KeyRingCertificatePassword"] = "pfx-pass",
            ["Models:SeedBuiltInModels"] = "false",
        };
        await using var service = new ModelServiceWireServer("svc-ring-secret");
        await service.StartAsync();
        string id;

        await using (var first = new GatewayFactory(settings, data.Path))
        {
            using var admin = first.CreateClient(GatewayFactory.AdminKey);
            id = await admin.RegisterModelAsync(new
            {
                name = "ring",
                provider = "http",
                config = new { url = new Uri(service.BaseUri, "predict").ToString(), headers = new Dictionary<string, string> { ["X-Service-Key"] = "svc-ring-secret" } },
            });
        }

        var ring = string.Concat(Directory.GetFiles(Path.Combine(data.Path, "keys"), "*.xml").Select(File.ReadAllText));
        Assert.Contains("encryptedSecret", ring);
        Assert.DoesNotContain("<masterKey", ring);

        await using var second = new GatewayFactory(settings, data.Path);
        using var client = second.CreateClient(GatewayFactory.AdminKey);
        using var predicted = await client.PostAsJsonAsync($"/api/models/{id}/predict", new { amount = 100 });
        await predicted.AssertOkAsync();
    }
}
