namespace Mcp.Cluster.Storage;

public sealed class SqliteStorageOptions
{
    /// <summary>Path of the SQLite database file holding grain state.</summary>
    public string DatabasePath { get; set; } = Path.Combine("data", "grains.db");

    /// <summary>
    /// FULL makes every committed write survive power loss; NORMAL survives process crashes only but is faster.
    /// </summary>
    public string Synchronous { get; set; } = "FULL";
}
