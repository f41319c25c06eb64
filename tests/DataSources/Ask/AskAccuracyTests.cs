using Mcp.Cluster.Client;
using Mcp.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Mcp.Cluster.Tests.DataSources.Ask;

/// <summary>
/// The built-in translator measured on the held-out question set (questions.json), through the .NET client and a
/// non-admin key, as a user would meet it. The score and every miss go to the test output and to
/// <c>artifacts/ask-accuracy/</c> beside the test assembly; the only assertion is the floor <c>min_score</c> kept in the
/// same file, so the number is reported honestly rather than tuned to.
/// </summary>
[Trait("Tier", "Api")]
[Collection(DataCollection.Name)]
public sealed class AskAccuracyTests(DataGateway gateway, ITestOutputHelper output)
{
    public static string Artifacts { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "ask-accuracy");

    [Fact]
    public async Task Score_on_the_question_set_is_at_least_the_floor()
    {
        await gateway.EnsureSamplesAsync();
        var set = AskQuestionSet.Load(AskQuestionSet.DefaultPath(CommandLine.RepositoryRoot));
        using var admin = new McpClient(gateway.CreateClient(), new McpClientOptions { ApiKey = GatewayFactory.AdminKey });
        // A reader's key: it asks over the schema it may see (masks included), with room for two calls per question.
        var key = await admin.CreateKeyAsync(new CreateKeyRequest { Owner = "ask-accuracy", Permissions = ["read"], RateLimit = "100000/minute" });
        using var reader = new McpClient(gateway.CreateClient(), new McpClientOptions { ApiKey = key.ApiKey });

        var report = await new AskAccuracyRun(reader).RunAsync(set);

        var table = report.ToTable();
        output.WriteLine(table);
        Directory.CreateDirectory(Artifacts);
        await File.WriteAllTextAsync(Path.Combine(Artifacts, "report.txt"), table);
        await File.WriteAllTextAsync(Path.Combine(Artifacts, "report.json"), report.ToJson());
        Assert.True(report.Score >= set.MinScore,
            $"ask accuracy {report.Correct}/{report.Total} ({report.Score:P1}) is below the floor {set.MinScore} set in questions.json");
    }
}
