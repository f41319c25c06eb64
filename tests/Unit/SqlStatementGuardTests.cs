using Mcp.Cluster.DataSources.Connectors;

namespace Mcp.Cluster.Tests.Unit;

[Trait("Tier", "Unit")]
public sealed class SqlStatementGuardTests
{
    [Theory]
    [InlineData("SELECT 1")]
    [InlineData("SELECT 1;")]
    [InlineData("SELECT 1;  -- trailing comment")]
    [InlineData("SELECT 1; /* trailing */")]
    [InlineData("SELECT ';' AS x")]
    [InlineData("SELECT 'it''s; fine'")]
    [InlineData("SELECT \"a;b\" FROM t")]
    [InlineData("SELECT $$ ; $$")]
    [InlineData("SELECT $body$ ; $$ ; $body$")]
    [InlineData("SELECT E'\\' ; '")]
    [InlineData("SELECT $1, $2 FROM t")]
    [InlineData("SELECT 1 -- ; DELETE\n")]
    [InlineData("SELECT /* /* ; */ ; */ 1")]
    [InlineData("WITH a AS (SELECT 1) SELECT * FROM a")]
    public void One_statement_passes(string sql) => Assert.True(SqlStatementGuard.IsSingleStatement(sql, out var problem), problem);

    [Theory]
    [InlineData("SELECT 1; DELETE FROM t")]
    [InlineData("SELECT 1;COMMIT")]
    [InlineData("SELECT ';'; DROP TABLE t")]
    [InlineData("SELECT $$x$$; DELETE FROM t")]
    [InlineData("SELECT E'\\''; DELETE FROM t")]
    [InlineData("SELECT 1 /* ; */ ; DELETE FROM t")]
    [InlineData("; SELECT 1")]
    [InlineData("SELECT 'unterminated")]
    [InlineData("SELECT $$ unterminated")]
    [InlineData("SELECT /* unterminated")]
    [InlineData("")]
    [InlineData("   -- only a comment")]
    public void Anything_else_is_refused(string sql)
    {
        Assert.False(SqlStatementGuard.IsSingleStatement(sql, out var problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }
}
