using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Security;

/// <summary>
/// Bytes that are not UTF-8 inside a JSON string, and integers too long for the schema validator to read, are the
/// caller's mistake: 400 <c>validation_error</c> on every route, never the 500 they used to be (or, on the single
/// predict and tool routes, silently replaced characters).
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class InvalidUtf8AndHugeNumberTests(SharedGatewayFactory gateway)
{
    private const string Hole = "\u0001";

    public static TheoryData<string, string> Routes => new()
    {
        { "/api/data/query", $$"""{"source":"jobs_db","table":"jobs","filters":[{"field":"title","op":"contains","value":"{{Hole}}"}]}""" },
        { "/api/models/sentiment/predict", $$"""{"text":"a{{Hole}}"}""" },
        { "/api/models/sentiment/predict/batch", $$"""{"inputs":[{"text":"a{{Hole}}"}]}""" },
        { "/tools/model.sentiment/execute", $$"""{"text":"a{{Hole}}"}""" },
        { "/v1/chat/completions", $$"""{"model":"sentiment","messages":[{"role":"user","content":"{{Hole}}"}]}""" },
        { "/v1/embeddings", $$"""{"model":"sentiment","input":"{{Hole}}"}""" },
        { "/api/models", $$$"""{"name":"utf{{{Hole}}}","provider":"builtin","config":{"model":"sentiment"}}""" },
        { "/api/datasources", $$$"""{"name":"utf8-probe","type":"sqlite","config":{"path":"{{{Hole}}}"}}""" },
    };

    // A stray 0xff, an encoded surrogate, an overlong NUL, a cut-off sequence, an overlong 4-byte form.
    private static readonly string[] BadBytes = ["ff", "eda080", "c080", "e282", "f0808080"];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Invalid_utf8_in_a_string_is_a_validation_error(string path, string template)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        foreach (var hex in BadBytes)
        {
            var parts = template.Split(Hole);
            var body = Encoding.UTF8.GetBytes(parts[0]).Concat(Convert.FromHexString(hex)).Concat(Encoding.UTF8.GetBytes(parts[1])).ToArray();
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(path, content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path} with 0x{hex}: {(int)response.StatusCode} {text}");
            Assert.Contains("validation_error", text);
        }
    }

    [Theory]
    [InlineData("/api/models/sentiment/predict", """{"text":"fine","n":NUMBER}""")]
    [InlineData("/api/models/sentiment/predict/batch", """{"inputs":[{"text":"fine","n":NUMBER}]}""")]
    public async Task An_integer_of_hundreds_of_digits_is_a_validation_error(string path, string template)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        using var content = new StringContent(template.Replace("NUMBER", new string('9', 400)), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(path, content);
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Fact]
    public async Task The_tool_route_answers_an_integer_of_hundreds_of_digits_as_invalid_input()
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        using var content = new StringContent($$"""{"text":"fine","n":{{new string('9', 400)}}}""", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/tools/model.sentiment/execute", content);
        // Tool failures are reported in-band (is_error), as MCP does; before, this was a 500.
        var answer = await response.AssertOkAsync();
        Assert.True(answer.GetProperty("is_error").GetBoolean(), answer.ToString());
        Assert.Contains("Invalid input", answer.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("-9223372036854775809", """{"type":"integer"}""")]
    [InlineData("18446744073709551616", """{"type":"integer","minimum":0}""")]
    [InlineData("-9223372036854775809", """{"type":"object"}""")]
    [InlineData("1e400", """{"type":"number","maximum":10}""")]
    [InlineData("{\"n\":1}", """{"type":["object","null"]}""")]
    [InlineData("{\"n\":-9223372036854775809}", """{"type":"object","properties":{"n":{"type":"integer","maximum":5}}}""")]
    public async Task Numbers_beyond_64_bits_against_any_schema_are_answered_never_a_500(string body, string schema)
    {
        using var client = gateway.CreateClient(GatewayFactory.AdminKey);
        var name = "big-" + Guid.NewGuid().ToString("N")[..8];
        using (var registered = await client.PostAsync("/api/models", new StringContent(
            $$"""{"name":"{{name}}","provider":"builtin","config":{"model":"sentiment"},"input_schema":{{schema}}}""", Encoding.UTF8, "application/json")))
        {
            await registered.AssertOkAsync(HttpStatusCode.Created);
        }
        using var response = await client.PostAsync($"/api/models/{name}/predict", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.True((int)response.StatusCode is >= 200 and < 500, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        using var tools = await client.GetAsync("/tools");
        await tools.AssertOkAsync();
    }
}
