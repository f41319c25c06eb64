using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class PromptRegistryTests(SharedGatewayFactory gateway)
{
    private static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static object Summarize(string name) => new
    {
        name,
        title = "Summarize",
        description = "Summarize a text for an audience",
        arguments = new object[]
        {
            new { name = "text", description = "What to summarize", required = true },
            new { name = "audience", values = new[] { "engineers", "executives", "everyone" }, @default = "everyone" },
            new { name = "words", type = "integer" },
        },
        messages = new object[]
        {
            new { role = "user", text = "Summarize for {{audience}} in at most {{words}} words:\n\n{{ text }}" },
            new { role = "assistant", text = "Here is a summary for {{audience}}." },
        },
    };

    [Fact]
    public async Task Prompts_are_registered_listed_rendered_and_deleted_by_their_owner()
    {
        var (_, writerKey) = await gateway.CreateKeyAsync(new { owner = "prompt-writer", permissions = new[] { "read", "write" } });
        var (_, otherKey) = await gateway.CreateKeyAsync(new { owner = "someone-else", permissions = new[] { "read", "write" } });
        using var writer = gateway.CreateClient(writerKey);
        using var other = gateway.CreateClient(otherKey);
        var name = UniqueName("summarize");

        using (var created = await writer.PostAsJsonAsync("/prompts", Summarize(name)))
        {
            var body = await created.AssertOkAsync(HttpStatusCode.Created);
            Assert.Equal("prompt-writer", body.GetProperty("owner").GetString());
            Assert.Equal(3, body.GetProperty("arguments").GetArrayLength());
        }
        using (var replaced = await writer.PostAsJsonAsync("/prompts", Summarize(name)))
        {
            await replaced.AssertOkAsync(HttpStatusCode.OK);
        }
        using (var taken = await other.PostAsJsonAsync("/prompts", Summarize(name)))
        {
            await taken.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        var list = await other.GetFromJsonAsync<JsonElement>("/prompts?limit=100");
        Assert.Contains(name, list.GetProperty("prompts").EnumerateArray().Select(p => p.GetProperty("name").GetString()));

        using (var rendered = await other.PostAsJsonAsync($"/prompts/{name}/render", new { arguments = new Dictionary<string, string> { ["text"] = "Orleans is a virtual actor framework.", ["words"] = "20" } }))
        {
            var body = await rendered.AssertOkAsync();
            var messages = body.GetProperty("messages").EnumerateArray().ToArray();
            Assert.Equal("Summarize for everyone in at most 20 words:\n\nOrleans is a virtual actor framework.", messages[0].GetProperty("text").GetString());
            Assert.Equal("assistant", messages[1].GetProperty("role").GetString());
        }
        foreach (var (arguments, field) in new[]
        {
            (new Dictionary<string, string>(), "arguments.text"),
            (new Dictionary<string, string> { ["text"] = "x", ["audience"] = "children" }, "arguments.audience"),
            (new Dictionary<string, string> { ["text"] = "x", ["words"] = "many" }, "arguments.words"),
            (new Dictionary<string, string> { ["text"] = "x", ["tone"] = "dry" }, "arguments.tone"),
        })
        {
            using var refused = await other.PostAsJsonAsync($"/prompts/{name}/render", new { arguments });
            Assert.Equal(field, (await refused.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        }

        using (var notYours = await other.DeleteAsync($"/prompts/{name}"))
        {
            await notYours.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        }
        using (var deleted = await writer.DeleteAsync($"/prompts/{name}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }
        using (var gone = await writer.GetAsync($"/prompts/{name}"))
        {
            await gone.AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task Bad_prompt_definitions_are_refused_naming_the_field()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = UniqueName("bad");
        async Task Refused(object body, string field)
        {
            using var response = await admin.PostAsJsonAsync("/prompts", body);
            Assert.Equal(field, (await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error")).GetProperty("field").GetString());
        }
        await Refused(new { name = "-bad", messages = new[] { new { role = "user", text = "hi" } } }, "name");
        await Refused(new { name }, "messages");
        await Refused(new { name, messages = new[] { new { role = "system", text = "hi" } } }, "messages[0].role");
        await Refused(new { name, messages = new[] { new { role = "user", text = "hi {{who}}" } } }, "messages[0].text");
        await Refused(new { name, arguments = new[] { new { name = "a" }, new { name = "a" } }, messages = new[] { new { role = "user", text = "x" } } }, "arguments[1].name");
        await Refused(new { name, arguments = new[] { new { name = "n", type = "date" } }, messages = new[] { new { role = "user", text = "x" } } }, "arguments[0].type");
        await Refused(new { name, arguments = new object[] { new { name = "n", type = "integer", @default = "lots" } }, messages = new[] { new { role = "user", text = "x" } } }, "arguments[0].default");
        await Refused(new { name, messages = Enumerable.Range(0, 51).Select(_ => new { role = "user", text = "x" }).ToArray() }, "messages");
        await Refused(new { name, messages = new[] { new { role = "user", text = new string('x', 32 * 1024 + 1) } } }, "messages");
        await Refused(new { name, arguments = Enumerable.Range(0, 33).Select(i => new { name = $"a{i}" }).ToArray(), messages = new[] { new { role = "user", text = "x" } } }, "arguments");
        using var readOnly = gateway.CreateClient((await gateway.CreateKeyAsync(new { owner = "reader", permissions = new[] { "read" } })).ApiKey);
        using var forbidden = await readOnly.PostAsJsonAsync("/prompts", Summarize(name));
        await forbidden.AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
    }
}
