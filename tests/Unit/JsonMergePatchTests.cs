using System.Text.Json.Nodes;
using Mcp.Cluster.Models;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class JsonMergePatchTests
{
    [Theory]
    [InlineData("""{"a":"b"}""", """{"a":"c"}""", """{"a":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"b":"c"}""", """{"a":"b","b":"c"}""")]
    [InlineData("""{"a":"b"}""", """{"a":null}""", """{}""")]
    [InlineData("""{"a":{"b":"c"}}""", """{"a":{"b":"d","c":null}}""", """{"a":{"b":"d"}}""")]
    [InlineData("""{"a":[1]}""", """{"a":[2,3]}""", """{"a":[2,3]}""")]
    [InlineData("""{"a":"b"}""", """{"a":{"x":null}}""", """{"a":{}}""")]
    public void Follows_rfc_7396(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), result), result?.ToJsonString());
    }
}
