using System.Net.Http.Json;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// The built-in model answers the user guide's shape, <c>{"sentiment": …, "confidence": …}</c>, single and batch, and
/// says so in its output schema; registered with <c>task: classification</c> it keeps the generic shape.
/// </summary>
[Collection(GatewayCollection.Name)]
[Trait("Tier", "Api")]
public sealed class BuiltInSentimentTests(SharedGatewayFactory gateway)
{
    private async Task<HttpClient> SeededAdminAsync()
    {
        var admin = gateway.CreateClient(GatewayFactory.AdminKey);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            using var response = await admin.GetAsync("/api/models/sentiment");
            return response.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(20), "the built-in model to be seeded");
        return admin;
    }

    [Fact]
    public async Task Predict_answers_the_guide_shape()
    {
        using var admin = await SeededAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/models/mod_builtin_sentiment_v1/predict", new { text = "This product is amazing!" });

        var body = await response.AssertOkAsync();
        // The guide's two fields come first; scores per class follow.
        Assert.Equal(["sentiment", "confidence", "scores"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("positive", body.GetProperty("sentiment").GetString());
        Assert.InRange(body.GetProperty("confidence").GetDouble(), 0.9, 1.0);
    }

    [Fact]
    public async Task The_guide_batch_is_positive_then_negative_and_neutral_is_supported()
    {
        using var admin = await SeededAdminAsync();

        using var response = await admin.PostAsJsonAsync("/api/models/mod_builtin_sentiment_v1/predict/batch", new
        {
            inputs = new[] { new { text = "This product is amazing!" }, new { text = "Not satisfied with the quality." }, new { text = "The package arrived on Tuesday." } },
        });

        var predictions = (await response.AssertOkAsync()).GetProperty("predictions").EnumerateArray().ToArray();
        Assert.Equal(["positive", "negative", "neutral"], predictions.Select(p => p.GetProperty("sentiment").GetString()));
        Assert.All(predictions, p => Assert.InRange(p.GetProperty("confidence").GetDouble(), 0.5, 1.0));
    }

    [Fact]
    public async Task The_model_declares_the_sentiment_task_and_its_output_schema()
    {
        using var admin = await SeededAdminAsync();

        var model = await (await admin.GetAsync("/api/models/sentiment")).AssertOkAsync();

        Assert.Equal("sentiment", model.GetProperty("task").GetString());
        Assert.Equal(["classification", "sentiment"], model.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).Order());
        var output = model.GetProperty("output_schema");
        Assert.Equal(["sentiment", "confidence"], output.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["positive", "negative", "neutral"],
            output.GetProperty("properties").GetProperty("sentiment").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("text", model.GetProperty("input_schema").GetProperty("required")[0].GetString());
    }

    [Fact]
    public async Task With_task_classification_the_built_in_model_keeps_the_generic_shape()
    {
        using var admin = await SeededAdminAsync();
        var id = await admin.RegisterModelAsync(new { name = $"generic-sentiment-{Guid.NewGuid():N}"[..30], provider = "builtin", config = new { task = "classification" } });

        var body = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { text = "Not satisfied with the quality." })).AssertOkAsync();

        Assert.Equal("negative", body.GetProperty("label").GetString());
        Assert.InRange(body.GetProperty("score").GetDouble(), 0.5, 1.0);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("scores").ValueKind);
    }
}
