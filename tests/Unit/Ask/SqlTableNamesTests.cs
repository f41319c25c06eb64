using Mcp.Cluster.Gateway.DataSources;

namespace Mcp.Cluster.Tests.Unit.Ask;

/// <summary>The tables a statement without a source reads: names after FROM and JOIN, never text inside literals or comments.</summary>
[Trait("Tier", "Unit")]
public sealed class SqlTableNamesTests
{
    [Theory]
    [InlineData("SELECT * FROM jobs WHERE status = 'active'", "jobs")]
    [InlineData("select j.title from main.jobs j join \"builders\" b on 1 = 1", "jobs|builders")]
    [InlineData("SELECT * FROM [job listings] JOIN `odd``name` ON 1", "job listings|odd`name")]
    [InlineData("SELECT 'from secrets' AS x -- from hidden\n FROM jobs /* join other */", "jobs")]
    [InlineData("SELECT $$ from secrets $$ FROM \"pub\".\"jobs\"", "jobs")]
    [InlineData("SELECT * FROM (SELECT 1) AS t", "")]
    [InlineData("SELECT 1", "")]
    [InlineData("SELECT * FROM 'unterminated", "")]
    public void Names_after_from_and_join_are_the_tables(string sql, string expected) =>
        Assert.Equal(expected.Split('|', StringSplitOptions.RemoveEmptyEntries), SqlTableNames.Read(sql));
}
