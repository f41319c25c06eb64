using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class BadInputTests(SharedGatewayFactory gateway)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("{\"owner\": ", "invalid_request")]
    [InlineData("not json at all", "invalid_request")]
    [InlineData("[1,2,3]", "invalid_request")]
    [InlineData("{\"owner\": \"bob\", \"expires_in_days\": \"ten\"}", "invalid_request")]
    [InlineData("{\"owner\": 42}", "invalid_request")]
    [InlineData("{\"owner\": \"bob\", \"permissions\": \"read\"}", "invalid_request")]
    [InlineData("{\"owner\": \"bob\", \"permision\": [\"read\"]}", "invalid_request")]
    [InlineData("{}", "validation_error")]
    [InlineData("{\"owner\": \"   \"}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"permissions\": []}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"permissions\": [\"root\"]}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"rate_limit\": \"lots\"}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"rate_limit\": \"0/minute\"}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"rate_limit\": \"10/fortnight\"}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"expires_in_days\": 0}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"expires_in_days\": 100000}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"daily_quota\": 0}", "validation_error")]
    [InlineData("{\"owner\": \"bob\", \"monthly_quota\": -5}", "validation_error")]
    [InlineData("{\"owner\": \"bad\\u0000owner\"}", "validation_error")]
    public async Task Bad_creation_bodies_get_400_in_the_documented_shape_and_create_nothing(string json, string error)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var before = (await (await admin.GetAsync("/api/keys?owner=bob")).AssertOkAsync()).GetProperty("total").GetInt32();
        using var response = await admin.PostAsync("/api/keys", Json(json));
        await response.AssertErrorAsync(HttpStatusCode.BadRequest, error);
        var after = (await (await admin.GetAsync("/api/keys?owner=bob")).AssertOkAsync()).GetProperty("total").GetInt32();
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task Unknown_fields_are_named_in_the_error()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = await (await admin.PostAsync("/api/keys", Json("{\"owner\":\"x\",\"permision\":[\"read\"]}")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("permision", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Wrong_types_name_the_field()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var body = await (await admin.PostAsync("/api/keys", Json("{\"owner\":\"x\",\"expires_in_days\":\"ten\"}")))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains("expires_in_days", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Missing_body_and_wrong_content_type_are_refused()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PostAsync("/api/keys", null)).AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        using var text = new StringContent("{\"owner\":\"x\"}", Encoding.UTF8, "text/plain");
        await (await admin.PostAsync("/api/keys", text)).AssertErrorAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task Oversize_bodies_get_413_whether_declared_or_chunked()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        var huge = "{\"owner\":\"x\",\"description\":\"" + new string('a', 1024 * 1024 + 10) + "\"}";
        await (await admin.PostAsync("/api/keys", Json(huge))).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/keys") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await admin.SendAsync(request)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        using var batch = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"keys\":[{\"owner\":\"" + new string('b', 1024 * 1024) + "\"}]}")));
        batch.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var batchRequest = new HttpRequestMessage(HttpMethod.Post, "/api/keys/batch") { Content = batch };
        batchRequest.Headers.TransferEncodingChunked = true;
        await (await admin.SendAsync(batchRequest)).AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
    }

    [Fact]
    public async Task Unauthenticated_requests_get_401_before_their_body_is_looked_at()
    {
        using var anonymous = gateway.CreateClient();
        await (await anonymous.PostAsync("/api/keys/batch", Json("{not json"))).AssertErrorAsync(HttpStatusCode.Unauthorized, "invalid_api_key");
    }

    [Theory]
    [InlineData("offset=-1")]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("limit=abc")]
    public async Task Bad_paging_parameters_get_400(string query)
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        using var response = await admin.GetAsync($"/api/keys?{query}");
        var body = await response.AssertErrorAsync(HttpStatusCode.BadRequest, query == "limit=abc" ? "invalid_request" : "validation_error");
        Assert.NotNull(body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_routes_methods_and_key_ids_use_the_error_shape()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.GetAsync("/api/nothing-here")).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
        await (await admin.PutAsync("/api/keys", Json("{}"))).AssertErrorAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await (await admin.GetAsync("/api/keys/key_doesnotexist2345")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await admin.GetAsync("/api/keys/'%20OR%201=1")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await admin.PostAsync("/api/keys/key_doesnotexist2345/rotate", null)).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
        await (await admin.GetAsync("/api/keys/key_doesnotexist2345/usage")).AssertErrorAsync(HttpStatusCode.NotFound, "key_not_found");
    }

    [Fact]
    public async Task Batch_bodies_are_validated()
    {
        using var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await (await admin.PostAsync("/api/keys/batch", Json("{\"keys\":[]}"))).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        await (await admin.PostAsync("/api/keys/batch", Json("{\"keys\":[null]}"))).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        await (await admin.PostAsync("/api/keys/batch", Json("{\"keys\":{}}"))).AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await admin.PostAsync("/api/keys/batch", Json("{\"items\":[]}"))).AssertErrorAsync(HttpStatusCode.BadRequest, "invalid_request");
    }
}
