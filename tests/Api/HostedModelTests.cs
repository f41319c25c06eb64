using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.Onnx;

namespace Mcp.Cluster.Tests.Api;

/// <summary>
/// Models the cluster runs itself: the user guide's <c>internal-classifier</c> registered as written and given an ONNX
/// file, the seeds' "Local Model Backend" and "Sentence Transformer" shapes, uploads (zip with a vocabulary, corrupt,
/// mismatched, too large, by a stranger), <c>model_path</c> confinement, batching and delete. Every answer is checked
/// against the same model evaluated another way (the test models' plain-loop references).
/// </summary>
[Trait("Tier", "Api")]
public sealed class HostedModelTests(HostedModelFixture fixture) : IClassFixture<HostedModelFixture>
{
    private static readonly float[][] Samples = [[0.5f, -1.2f, 3.3f, 0.1f], [-2f, 0.25f, 1f, 4f], [0f, 0f, 0f, 0f]];

    [Fact]
    public async Task The_guides_internal_classifier_registers_as_written_and_answers_once_its_file_is_uploaded()
    {
        using var admin = fixture.Admin();
        // The user guide's "Custom Internal Model", pasted unchanged (the walk of the guide keeps its text).
        using var registered = await admin.PostAsync("/api/models",
            new StringContent(Startup.UserGuideWalkTests.InternalClassifier, System.Text.Encoding.UTF8, "application/json"));
        var id = (await registered.AssertOkAsync(HttpStatusCode.Created)).GetProperty("model_id").GetString()!;

        var early = await (await admin.PostAsJsonAsync("/api/models/internal-classifier/predict", new { features = Samples[0] }))
            .AssertErrorAsync(HttpStatusCode.Conflict, "model_not_deployed");
        Assert.Contains("/artifact", early.GetProperty("detail").GetString());

        var bytes = fixture.Classifier.Bytes;
        var uploaded = await (await HostedModelFixture.UploadAsync(admin, "internal-classifier@2.0.0", bytes)).AssertOkAsync();
        Assert.Equal("onnx", uploaded.GetProperty("provider").GetString());
        var artifact = uploaded.GetProperty("artifact");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), artifact.GetProperty("sha256").GetString());
        Assert.Equal(bytes.Length, artifact.GetProperty("bytes").GetInt64());
        var input = artifact.GetProperty("inputs").EnumerateArray().Single();
        Assert.Equal("features", input.GetProperty("name").GetString());
        Assert.Equal("float", input.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, input.GetProperty("shape")[0].ValueKind);
        Assert.Equal(4, input.GetProperty("shape")[1].GetInt32());

        foreach (var features in Samples)
        {
            var answer = await (await admin.PostAsJsonAsync("/api/models/internal-classifier/predict", new { features })).AssertOkAsync();
            HostedModelFixture.AssertClose(fixture.Classifier.Evaluate(features), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
            Assert.Equal(fixture.Classifier.Label(features), answer.GetProperty("label").GetInt64());
        }
        var batch = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict/batch",
            new { inputs = Samples.Select(f => new { features = f }) })).AssertOkAsync();
        var predictions = batch.GetProperty("predictions").EnumerateArray().ToArray();
        for (var i = 0; i < Samples.Length; i++)
        {
            HostedModelFixture.AssertClose(fixture.Classifier.Evaluate(Samples[i]), HostedModelFixture.Floats(predictions[i].GetProperty("probabilities")));
        }

        var status = await HostedModelFixture.StatusAsync(admin, id);
        Assert.Equal("active", status.GetProperty("status").GetString());
        var hosting = status.GetProperty("hosting");
        Assert.True(hosting.GetProperty("requires_gpu").GetBoolean());
        Assert.Equal(2_000_000_000, hosting.GetProperty("memory_bytes").GetInt64());
        Assert.False(string.IsNullOrEmpty(hosting.GetProperty("placed_on").GetString()));
        await ModelTestHelpers.EventuallyAsync(async () =>
            (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("session").ValueKind == JsonValueKind.Object,
            TimeSpan.FromSeconds(10), "the host to report its loaded session");
        var session = (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("session");
        Assert.True(session.GetProperty("load_time_ms").GetDouble() > 0);
        Assert.True(session.GetProperty("memory_bytes").GetInt64() >= bytes.Length);
        Assert.Equal("cpu", session.GetProperty("device").GetString());
        Assert.Equal(32, session.GetProperty("batch_size").GetInt32());
    }

    [Fact]
    public async Task Bad_input_to_a_hosted_model_is_a_400_naming_what_is_wrong()
    {
        using var admin = fixture.Admin();
        var id = await RegisterClassifierAsync(admin);

        var wrongCount = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = new[] { 1f, 2f } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Contains("4", wrongCount.GetProperty("detail").GetString());
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = new object[] { 1, "two", 3, 4 } }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { text = "not a tabular input" }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        // A huge input is refused before any tensor is built (the derived schema caps the count).
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = new float[200_000] }))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");

        // None of it counted against the model: it still answers, its breaker closed.
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[1] })).AssertOkAsync();
        Assert.Equal("closed", (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("circuit").GetString());
    }

    [Fact]
    public async Task A_corrupt_or_mismatched_file_is_a_400_and_the_model_keeps_the_file_it_runs()
    {
        using var admin = fixture.Admin();
        var id = await RegisterClassifierAsync(admin);
        var before = (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("artifact").GetProperty("sha256").GetString();

        var corrupt = await (await HostedModelFixture.UploadAsync(admin, id, TestOnnxModels.CorruptBytes()))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Equal("artifact", corrupt.GetProperty("field").GetString());
        await (await HostedModelFixture.UploadAsync(admin, id, TestOnnxModels.Truncated(fixture.Classifier.Bytes)))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        var strings = await (await HostedModelFixture.UploadAsync(admin, id, TestOnnxModels.StringInputModel()))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Contains("string", strings.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        await (await HostedModelFixture.UploadAsync(admin, id, TestOnnxModels.SequenceOfMapsOutputModel()))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        // A text model without its vocabulary cannot read text.
        var noVocabulary = await (await HostedModelFixture.UploadAsync(admin, id, fixture.Embedder.Bytes))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Contains("vocab.txt", noVocabulary.GetProperty("detail").GetString());
        await (await HostedModelFixture.UploadAsync(admin, id, HostedModelFixture.Zip(System.Text.Encoding.UTF8.GetBytes("not a model"), null, "notes.txt"), "application/zip"))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        await (await HostedModelFixture.UploadAsync(admin, id, [])).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");

        var after = await HostedModelFixture.StatusAsync(admin, id);
        Assert.Equal(before, after.GetProperty("hosting").GetProperty("artifact").GetProperty("sha256").GetString());
        var answer = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[0] })).AssertOkAsync();
        HostedModelFixture.AssertClose(fixture.Classifier.Evaluate(Samples[0]), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        // Refused uploads leave nothing on disk: only the file the model runs.
        Assert.Single(Directory.GetDirectories(Path.Combine(fixture.ArtifactDirectory, id)));

        // An embedding model refuses a file that does not read text.
        var embedder = await admin.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("st"), provider = "sentence_transformers", config = new { } });
        var mismatch = await (await HostedModelFixture.UploadAsync(admin, embedder, fixture.Classifier.Bytes))
            .AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.Contains("text", mismatch.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_a_413_and_nothing_is_kept()
    {
        using var admin = fixture.Admin();
        var id = await admin.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("big"), provider = "onnx", config = new { } });

        await (await HostedModelFixture.UploadAsync(admin, id, new byte[HostedModelFixture.MaxArtifactBytes + 1]))
            .AssertErrorAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        // A chunked body (no Content-Length) is counted as it streams.
        using var chunked = new StreamContent(new MemoryStream(new byte[HostedModelFixture.MaxArtifactBytes + 4096]));
        chunked.Headers.ContentType = new("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/models/{id}/artifact") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var response = await admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        var kept = Directory.Exists(Path.Combine(fixture.ArtifactDirectory, id))
            ? Directory.GetFileSystemEntries(Path.Combine(fixture.ArtifactDirectory, id)) : [];
        Assert.Empty(kept);
        var status = await HostedModelFixture.StatusAsync(admin, id);
        Assert.Equal(JsonValueKind.Null, status.GetProperty("hosting").GetProperty("artifact").ValueKind);
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_give_a_model_its_file_and_a_stranger_writes_nothing()
    {
        var (_, alice) = await fixture.Gateway.CreateKeyAsync(new { owner = "hosted-alice", permissions = new[] { "read", "write", "execute" } });
        var (_, mallory) = await fixture.Gateway.CreateKeyAsync(new { owner = "hosted-mallory", permissions = new[] { "read", "write", "execute" } });
        using var owner = fixture.Gateway.CreateClient(alice);
        using var stranger = fixture.Gateway.CreateClient(mallory);
        var id = await owner.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("alice"), provider = "onnx", config = new { } });

        await (await HostedModelFixture.UploadAsync(stranger, id, fixture.Classifier.Bytes)).AssertErrorAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.False(Directory.Exists(Path.Combine(fixture.ArtifactDirectory, id)));
        using var anonymous = fixture.Gateway.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await HostedModelFixture.UploadAsync(anonymous, id, fixture.Classifier.Bytes)).StatusCode);
        var (_, reader) = await fixture.Gateway.CreateKeyAsync(new { owner = "hosted-alice", permissions = new[] { "read" } });
        using var readOnly = fixture.Gateway.CreateClient(reader);
        Assert.Equal(HttpStatusCode.Forbidden, (await HostedModelFixture.UploadAsync(readOnly, id, fixture.Classifier.Bytes)).StatusCode);

        await (await HostedModelFixture.UploadAsync(owner, id, fixture.Classifier.Bytes)).AssertOkAsync();
        await (await owner.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[2] })).AssertOkAsync();
        // Models the cluster does not run take no file.
        var remote = await owner.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("remote"), provider = "builtin", config = new { model = "sentiment" } });
        await (await HostedModelFixture.UploadAsync(owner, remote, fixture.Classifier.Bytes)).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
    }

    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("escape-link/model.onnx")]
    [InlineData("nothing-here")]
    public async Task A_model_path_outside_the_models_directory_or_missing_is_refused_without_saying_where_files_are(string path)
    {
        using var admin = fixture.Admin();
        var outside = Path.Combine(fixture.Gateway.DataDirectory, "outside");
        Directory.CreateDirectory(outside);
        fixture.Classifier.WriteTo(outside, "model.onnx");
        Directory.CreateDirectory(fixture.ModelDirectory);
        var link = Path.Combine(fixture.ModelDirectory, "escape-link");
        if (!Directory.Exists(link))
        {
            Directory.CreateSymbolicLink(link, outside);
        }

        using var response = await admin.PostAsJsonAsync("/api/models", new { name = HostedModelFixture.UniqueName("path"), provider = "onnx", config = new { model_path = path } });

        var error = await response.AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
        Assert.DoesNotContain(fixture.Gateway.DataDirectory, error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_seeds_local_model_backend_shape_registers_and_serves_from_the_models_directory()
    {
        using var admin = fixture.Admin();
        fixture.Classifier.WriteTo(Path.Combine(fixture.ModelDirectory, "local-model"), "model.onnx");

        var id = await admin.RegisterModelAsync(new
        {
            name = HostedModelFixture.UniqueName("local-pytorch"),
            provider = "onnx",
            config = new { model_path = "local-model", device = "cpu", batch_size = 1, max_length = 2048 },
        });

        var model = await (await admin.GetAsync($"/api/models/{id}")).AssertOkAsync();
        Assert.Equal(["predict"], model.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        // No input_schema was given: the model's is read from the file's signature.
        Assert.Equal(4, model.GetProperty("input_schema").GetProperty("properties").GetProperty("features").GetProperty("maxItems").GetInt32());
        var answer = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[1] })).AssertOkAsync();
        HostedModelFixture.AssertClose(fixture.Classifier.Evaluate(Samples[1]), HostedModelFixture.Floats(answer.GetProperty("probabilities")));
        var status = await HostedModelFixture.StatusAsync(admin, id);
        Assert.Equal("model_path", status.GetProperty("hosting").GetProperty("artifact").GetProperty("source").GetString());
    }

    [Fact]
    public async Task The_seeds_sentence_transformer_shape_embeds_through_predict_v1_embeddings_and_mcp()
    {
        using var admin = fixture.Admin();
        fixture.Embedder.WriteTo(Path.Combine(fixture.ModelDirectory, "all-MiniLM-L6-v2"));
        var name = HostedModelFixture.UniqueName("minilm");

        // The seeds' "Sentence Transformer" configuration, under our provider name.
        var id = await admin.RegisterModelAsync(new
        {
            name,
            provider = "sentence_transformers",
            config = new { model_name = "all-MiniLM-L6-v2", device = "cpu", normalize_embeddings = true },
        });
        var model = await (await admin.GetAsync($"/api/models/{id}")).AssertOkAsync();
        Assert.Equal("embedding", model.GetProperty("task").GetString());

        var texts = new[] { "the quick brown fox", "hello world", "the lazy dog sat on the mat" };
        var v1 = await (await admin.PostAsJsonAsync("/v1/embeddings", new { model = name, input = texts })).AssertOkAsync();
        var data = v1.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(texts.Length, data.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var vector = HostedModelFixture.Floats(data[i].GetProperty("embedding"));
            HostedModelFixture.AssertClose(fixture.ExpectedEmbedding(texts[i]), vector);
            Assert.Equal(1.0, Math.Sqrt(vector.Sum(x => (double)x * x)), 4);
        }
        Assert.True(v1.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() >= texts.Sum(t => t.Split(' ').Length + 2));

        var predicted = await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { input = "hello world" })).AssertOkAsync();
        HostedModelFixture.AssertClose(fixture.ExpectedEmbedding("hello world"), HostedModelFixture.Floats(predicted.GetProperty("embeddings")[0]));

        var tool = await HostedModelFixture.CallToolAsync(admin, $"model.{name}", new { input = "the quick brown fox" });
        Assert.False(tool.TryGetProperty("isError", out var isError) && isError.GetBoolean(), tool.ToString());
        HostedModelFixture.AssertClose(fixture.ExpectedEmbedding("the quick brown fox"),
            HostedModelFixture.Floats(tool.GetProperty("structuredContent").GetProperty("embeddings")[0]));
    }

    [Fact]
    public async Task A_zip_upload_brings_the_vocabulary_of_a_text_model()
    {
        using var admin = fixture.Admin();
        var name = HostedModelFixture.UniqueName("zipped");
        var id = await admin.RegisterModelAsync(new { name, provider = "sentence_transformers", config = new { normalize_embeddings = true } });

        var uploaded = await (await HostedModelFixture.UploadAsync(admin, id, HostedModelFixture.Zip(fixture.Embedder.Bytes, HostedModelFixture.Vocabulary), "application/zip"))
            .AssertOkAsync();
        Assert.True(uploaded.GetProperty("artifact").GetProperty("vocabulary").GetBoolean());

        var v1 = await (await admin.PostAsJsonAsync("/v1/embeddings", new { model = name, input = "a cat and a dog" })).AssertOkAsync();
        HostedModelFixture.AssertClose(fixture.ExpectedEmbedding("a cat and a dog"),
            HostedModelFixture.Floats(v1.GetProperty("data")[0].GetProperty("embedding")));
    }

    [Fact]
    public async Task Concurrent_single_predictions_are_gathered_into_fewer_runs_and_each_gets_its_own_answer()
    {
        using var admin = fixture.Admin();
        var id = await admin.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("batched"), provider = "onnx", config = new { batch_size = 32, batch_wait_ms = 200 } });
        await (await HostedModelFixture.UploadAsync(admin, id, fixture.Classifier.Bytes)).AssertOkAsync();
        // Loaded first, so the gathering is not the load's wait.
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[0] })).AssertOkAsync();

        var inputs = Enumerable.Range(0, 16).Select(i => new[] { i * 0.1f, -i * 0.2f, 1f, i % 3 }).ToArray();
        var answers = await Task.WhenAll(inputs.Select(async features =>
            await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features })).AssertOkAsync()));

        for (var i = 0; i < inputs.Length; i++)
        {
            HostedModelFixture.AssertClose(fixture.Classifier.Evaluate(inputs[i]), HostedModelFixture.Floats(answers[i].GetProperty("probabilities")));
        }
        JsonElement session = default;
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            session = (await HostedModelFixture.StatusAsync(admin, id)).GetProperty("hosting").GetProperty("session");
            return session.ValueKind == JsonValueKind.Object && session.GetProperty("inputs").GetInt64() >= 17;
        }, TimeSpan.FromSeconds(15), "the host to report 17 inputs");
        Assert.True(session.GetProperty("largest_batch").GetInt32() >= 2, session.ToString());
        Assert.True(session.GetProperty("runs").GetInt64() < 17, session.ToString());
    }

    [Fact]
    public async Task A_hostile_input_gathered_with_others_fails_alone_and_does_not_open_the_breaker()
    {
        using var admin = fixture.Admin();
        // A permissive schema lets token ids through as named tensors: one beyond the vocabulary makes ONNX Runtime fail.
        var id = await admin.RegisterModelAsync(new
        {
            name = HostedModelFixture.UniqueName("tokens"), provider = "onnx", input_schema = new { type = "object" },
            config = new { batch_size = 16, batch_wait_ms = 200 },
        });
        await (await HostedModelFixture.UploadAsync(admin, id, HostedModelFixture.Zip(fixture.Embedder.Bytes, HostedModelFixture.Vocabulary), "application/zip"))
            .AssertOkAsync();
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { text = "hello world" })).AssertOkAsync();

        for (var round = 0; round < 3; round++)
        {
            var good = Enumerable.Range(0, 5).Select(_ => admin.PostAsJsonAsync($"/api/models/{id}/predict", new { text = "hello world" })).ToArray();
            var bad = admin.PostAsJsonAsync($"/api/models/{id}/predict", new { input_ids = new[] { 2, 99_999, 3 }, attention_mask = new[] { 1, 1, 1 }, token_type_ids = new[] { 0, 0, 0 } });
            await Task.WhenAll([.. good, bad]);

            await (await bad).AssertErrorAsync(HttpStatusCode.BadRequest, "validation_error");
            foreach (var answer in good)
            {
                var states = (await (await answer).AssertOkAsync()).GetProperty("last_hidden_state");
                Assert.Equal(4, states.GetArrayLength());
            }
        }
        var status = await HostedModelFixture.StatusAsync(admin, id);
        Assert.Equal("closed", status.GetProperty("circuit").GetString());
        Assert.Equal("active", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Deleting_a_hosted_model_unloads_its_session_and_deletes_its_uploaded_file()
    {
        using var admin = fixture.Admin();
        var id = await RegisterClassifierAsync(admin);
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[0] })).AssertOkAsync();
        Assert.True(Directory.Exists(Path.Combine(fixture.ArtifactDirectory, id)));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/models/{id}")).StatusCode);

        Assert.Empty(Directory.Exists(Path.Combine(fixture.ArtifactDirectory, id)) ? Directory.GetDirectories(Path.Combine(fixture.ArtifactDirectory, id)) : []);
        await ModelTestHelpers.EventuallyAsync(async () =>
        {
            var placement = await (await admin.GetAsync("/api/cluster/placement")).AssertOkAsync();
            return !placement.ToString().Contains(id, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "the deleted model's session to leave the placement ledger");
        await (await admin.PostAsJsonAsync($"/api/models/{id}/predict", new { features = Samples[0] })).AssertErrorAsync(HttpStatusCode.NotFound, "not_found");
    }

    private async Task<string> RegisterClassifierAsync(HttpClient admin)
    {
        var id = await admin.RegisterModelAsync(new { name = HostedModelFixture.UniqueName("tabular"), provider = "onnx", config = new { batch_size = 8 } });
        await (await HostedModelFixture.UploadAsync(admin, id, fixture.Classifier.Bytes)).AssertOkAsync();
        return id;
    }
}
