using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// A model name belongs to the owner of its first version. Another key with <c>write</c> may neither register a
/// higher version (which would become the bare name's "latest" for every caller) nor move or remove its aliases;
/// the name's owner and admins still can.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class ModelNameOwnershipTests(SharedGatewayFactory gateway)
{
    private static object Builtin(string name, string version) =>
        new { name, version, provider = "builtin", config = new { model = "sentiment" } };

    [Fact]
    public async Task A_stranger_cannot_register_a_higher_version_of_sentiment_and_predictions_still_reach_the_original()
    {
        using var stranger = await gateway.NonAdminClientAsync("hijack");
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using (var attempt = await stranger.PostAsJsonAsync("/api/models", Builtin("sentiment", "9.0.0")))
        {
            var text = await attempt.Content.ReadAsStringAsync();
            if (attempt.StatusCode == HttpStatusCode.Created)
            {
                // The old code took the name over; put the shared gateway back before failing.
                var id = JsonDocument.Parse(text).RootElement.GetProperty("model_id").GetString();
                using var _ = await admin.DeleteAsync($"/api/models/{id}");
            }
            Assert.True(attempt.StatusCode == HttpStatusCode.Forbidden, $"{(int)attempt.StatusCode}: {text}");
            var error = JsonDocument.Parse(text).RootElement;
            Assert.Equal("forbidden", error.GetProperty("error").GetString());
            Assert.Equal("name", error.GetProperty("field").GetString());
        }

        using var predict = await admin.PostAsJsonAsync("/api/models/sentiment/predict", new { text = "What a wonderful day" });
        await predict.AssertOkAsync();
        Assert.Equal("mod_builtin_sentiment_v1", predict.Headers.GetValues("X-Model-Id").Single());
        var name = await admin.GetJsonAsync("/api/models/names/sentiment");
        Assert.DoesNotContain(name.GetProperty("versions").EnumerateArray(), v => v.GetProperty("version").GetString() == "9.0.0");
    }

    [Fact]
    public async Task A_stranger_cannot_move_or_remove_an_alias_of_a_name_it_does_not_own()
    {
        using var owner = await gateway.NonAdminClientAsync("owner");
        using var stranger = await gateway.NonAdminClientAsync("stranger");
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = SecurityGateway.UniqueName("owned");
        var v1 = await owner.RegisterModelAsync(Builtin(name, "1.0.0"));
        // An admin's version of the name: the stranger used to be refused only by the owner of the target version.
        var v2 = await admin.RegisterModelAsync(Builtin(name, "2.0.0"));
        using (var set = await owner.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "1.0.0" }))
        {
            await set.AssertOkAsync();
        }

        using (var move = await stranger.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "2.0.0" }))
        {
            await move.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var create = await stranger.PutAsJsonAsync($"/api/models/names/{name}/aliases/canary", new { version = "2.0.0" }))
        {
            await create.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var remove = await stranger.DeleteAsync($"/api/models/names/{name}/aliases/production"))
        {
            await remove.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using var predict = await admin.PostAsJsonAsync($"/api/models/{name}@production/predict", new { text = "fine" });
        await predict.AssertOkAsync();
        Assert.Equal(v1, predict.Headers.GetValues("X-Model-Id").Single());

        // The name's owner moves the alias to the admin's version, and an admin moves it back.
        using (var ownerMove = await owner.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "2.0.0" }))
        {
            Assert.Equal(v2, (await ownerMove.AssertOkAsync()).GetProperty("model_id").GetString());
        }
        using (var adminMove = await admin.PutAsJsonAsync($"/api/models/names/{name}/aliases/production", new { version = "1.0.0" }))
        {
            Assert.Equal(v1, (await adminMove.AssertOkAsync()).GetProperty("model_id").GetString());
        }
        using (var ownerRemove = await owner.DeleteAsync($"/api/models/names/{name}/aliases/production"))
        {
            Assert.Equal(HttpStatusCode.NoContent, ownerRemove.StatusCode);
        }
    }

    [Fact]
    public async Task The_owner_and_an_admin_add_versions_a_stranger_cannot()
    {
        using var owner = await gateway.NonAdminClientAsync("owner");
        using var stranger = await gateway.NonAdminClientAsync("stranger");
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = SecurityGateway.UniqueName("versions");
        await owner.RegisterModelAsync(Builtin(name, "1.0.0"));

        using (var attempt = await stranger.PostAsJsonAsync("/api/models", Builtin(name, "5.0.0")))
        {
            await attempt.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        var ownerV2 = await owner.RegisterModelAsync(Builtin(name, "2.0.0"));
        var adminV3 = await admin.RegisterModelAsync(Builtin(name, "3.0.0"));
        using var predict = await owner.PostAsJsonAsync($"/api/models/{name}/predict", new { text = "fine" });
        await predict.AssertOkAsync();
        Assert.Equal(adminV3, predict.Headers.GetValues("X-Model-Id").Single());
        // An admin's version does not hand the name over: its owner still adds versions.
        await owner.RegisterModelAsync(Builtin(name, "4.0.0"));
        Assert.NotEqual(ownerV2, adminV3);
    }
}
