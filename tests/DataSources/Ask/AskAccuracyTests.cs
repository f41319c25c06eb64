using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// The built-in translator measured on each held-out question set (questions.json, and questions-holdout.json written
/// later without the translator in view), through the .NET client and a non-admin key, as a user would meet it. The
/// score and every miss go to the test output and to <c>artifacts/ask-accuracy/</c> beside the test assembly
/// (<c>report.*</c>, <c>holdout-report.*</c>); the only assertion is the floor <c>min_score</c> kept in each set's file,
/// so the number is reported honestly rather than tuned to.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class AskAccuracyTests(DataGateway gateway, ITestOutputHelper output)
{
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "ask-accuracy");

    [Theory]
    [InlineData(AskQuestionSet.DefaultFile, "report")]
    [InlineData(AskQuestionSet.HoldoutFile, "holdout-report")]
    public async Task Score_on_the_question_set_is_at_least_the_floor(string file, string reportName)
    {
        await gateway.EnsureSamplesAsync();
        var set = AskQuestionSet.Load(AskQuestionSet.PathOf(CommandLine.RepositoryRoot, file));
        using var admin = new McpClient(gateway.CreateClient(), new McpClientOptions { ApiKey = GatewayFactory.AdminKey });
        // A reader's key: it asks over the schema it may see (masks included), with room for two calls per question.
        var key = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = "ask-accuracy", Permissions = ["read"], RateLimit = "100000/minute" });
        using var reader = new McpClient(gateway.CreateClient(), new McpClientOptions { ApiKey = key.ApiKey });

        var report = await new AskAccuracyRun(reader).RunAsync(set);

        var table = report.ToTable();
        output.WriteLine(table);
        Directory.CreateDirectory(Artifacts);
        await File.WriteAllTextAsync(Path.Combine(Artifacts, $"{reportName}.txt"), table);
        await File.WriteAllTextAsync(Path.Combine(Artifacts, $"{reportName}.json"), report.ToJson());
        Assert.True(report.Score >= set.MinScore,
            $"ask accuracy {report.Correct}/{report.Total} ({report.Score:P1}) is below the floor {set.MinScore} set in {file}");
    }
}
