namespace Mcp.Cluster.Hosting;

public enum ClusterMode
{
    /// <summary>One node on this machine, grain state in a local SQLite file; needs no external server.</summary>
    Local,

    /// <summary>Several silos sharing PostgreSQL for membership, grain state and reminders.</summary>
    Postgres,
}
