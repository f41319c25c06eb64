using System.Text.Json;
using Mcp.Cluster.Gateway.ApiKeys;
using Mcp.Cluster.Gateway.Errors;
using Mcp.Cluster.Gateway.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mcp.Cluster.Tests.Unit;

/// <summary>Issue 18: the error middleware tells an unknown field from a mistyped one by the body's contract, not by message text.</summary>
[Trait("Tier", "Unit")]
public sealed class JsonBodyPathTests
{
    private static readonly JsonSerializerOptions Json = CreateJson();

    [Theory]
    [InlineData("$.bogus", "bogus")]
    [InlineData("$['odd name']", "odd name")]
    [InlineData("$.owner", null)]
    [InlineData("$.daily_quota", null)]
    [InlineData("$", null)]
    public void Finds_unknown_members_of_a_body(string path, string? unknown) =>
        Assert.Equal(unknown, JsonBodyPath.UnknownMember(Json.GetTypeInfo(typeof(CreateApiKeyRequest)), path));

    [Theory]
    [InlineData("$.keys[1].bogus", "bogus")]
    [InlineData("$.keys[1].owner", null)]
    [InlineData("$.keys", null)]
    public void Follows_arrays_into_their_items(string path, string? unknown) =>
        Assert.Equal(unknown, JsonBodyPath.UnknownMember(Json.GetTypeInfo(typeof(CreateApiKeyBatchRequest)), path));

    [Fact]
    public void The_documented_messages_come_from_the_exception_and_the_contract()
    {
        Assert.Equal("Unknown field 'bogus'.", Describe("""{"owner":"a","bogus":1}"""));
        Assert.Equal("Field 'daily_quota' has the wrong type.", Describe("""{"owner":"a","daily_quota":"x"}"""));
        Assert.Equal("Request body has the wrong shape.", Describe("[1]"));
        Assert.StartsWith("Request body is not valid JSON at 'owner'", Describe("""{"owner": x}"""));
    }

    private static string Describe(string body)
    {
        var exception = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<CreateApiKeyRequest>(body, Json));
        return ErrorHandlingMiddleware.DescribeJson(new DefaultHttpContext(), exception, Json.GetTypeInfo(typeof(CreateApiKeyRequest)));
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GatewayHostingExtensions.ConfigureJson(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
