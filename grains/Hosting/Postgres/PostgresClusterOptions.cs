namespace Mcp.Cluster.Hosting.Postgres;

/// <summary>
/// <c>Cluster:Postgres</c>: the database silos share for membership, grain state and reminders, and gateways read to
/// find silos (environment: <c>MCP_Cluster__Postgres__ConnectionString</c>).
/// </summary>
public sealed class PostgresClusterOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Port=5432;Database=mcp;Username=mcp;Password=…</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Orleans' ADO.NET invariant for Npgsql; the providers load the driver by this name.</summary>
    public const string Invariant = "Npgsql";

    public string RequireConnectionString() =>
        string.IsNullOrWhiteSpace(ConnectionString)
            ? throw new InvalidOperationException(
                "Cluster:Mode=Postgres needs Cluster:Postgres:ConnectionString (MCP_Cluster__Postgres__ConnectionString), " +
                "e.g. Host=localhost;Port=5432;Database=mcp;Username=mcp;Password=….")
            : ConnectionString;
}
