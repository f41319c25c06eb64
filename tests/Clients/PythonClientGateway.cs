using System.Net.Http.Json;
using System.Security.Cryptography;
using Mcp.Cluster.Tests.DataSources;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.WireServers;

namespace Mcp.Cluster.Tests.Clients;

/// <summary>
/// The gateway the Python client tests talk to: the in-process gateway with its sample sources on a real port (python3
/// is another process), plus the user guide's Snowflake source, registered as <c>snowflake</c> on the test wire server
/// with the guide's <c>MARKET_ANALYTICS.JOB_TRENDS</c> table.
/// </summary>
public sealed class PythonClientGateway : IAsyncLifetime
{
    private readonly RSA _snowflakeKey = RSA.Create(2048);
    private SnowflakeWireServer? _snowflake;

    public DataGateway Gateway { get; } = new();

    public string BaseUrl { get; private set; } = "";

    /// <summary>JOB_TRENDS rows: job_category, region, period, median_salary, postings, growth_rate.</summary>
    public static IReadOnlyList<(string Category, string Region, string Period, decimal Salary, int Postings, double Growth)> Trends { get; } =
    [
        ("Software Engineer", "Austin, TX", "6m", 135000.00m, 412, 0.12),
        ("Software Engineer", "Austin, TX", "1y", 131500.00m, 790, 0.09),
        ("Software Engineer", "Remote", "6m", 128000.00m, 1530, 0.04),
        ("Data Scientist", "Austin, TX", "6m", 142000.00m, 118, 0.15),
    ];

    public async Task InitializeAsync()
    {
        // The guide's SnowflakeConfig names database ML_DATA; its table lives in schema MARKET_ANALYTICS.
        _snowflake = new SnowflakeWireServer("guide-acct", "mcp_reader", _snowflakeKey, "ML_DATA", "MARKET_ANALYTICS");
        _snowflake.Seed($"""
            CREATE TABLE JOB_TRENDS (job_category TEXT NOT NULL, region TEXT NOT NULL, period TEXT NOT NULL,
                median_salary NUMBER(10,2), postings NUMBER(38,0), growth_rate FLOAT);
            INSERT INTO JOB_TRENDS VALUES {string.Join(", ", Trends.Select(t =>
                FormattableString.Invariant($"('{t.Category}', '{t.Region}', '{t.Period}', {t.Salary}, {t.Postings}, {t.Growth})")))};
            """);
        await _snowflake.StartAsync();

        Gateway.UseKestrel(0);
        Gateway.StartServer();
        using var admin = Gateway.CreateClient(GatewayFactory.AdminKey);
        BaseUrl = admin.BaseAddress!.ToString().TrimEnd('/');
        await Gateway.EnsureSamplesAsync();
        using var registered = await admin.PostAsJsonAsync("/api/datasources", new
        {
            name = "snowflake",
            type = "snowflake",
            config = new Dictionary<string, object>
            {
                ["account"] = "guide-acct",
                ["user"] = "mcp_reader",
                ["private_key"] = _snowflakeKey.ExportPkcs8PrivateKeyPem(),
                ["database"] = "ML_DATA",
                ["schema"] = "MARKET_ANALYTICS",
                ["warehouse"] = "COMPUTE_WH",
                ["role"] = "ML_ENGINEER",
                ["base_url"] = _snowflake.BaseUri.ToString(),
            },
            default_access = "read",
        });
        await registered.AssertOkAsync(System.Net.HttpStatusCode.Created);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        if (_snowflake is not null)
        {
            await _snowflake.DisposeAsync();
            _snowflake.Dispose();
        }
        _snowflakeKey.Dispose();
    }
}
