using Npgsql;

namespace Mcp.Cluster.Hosting.Postgres;

/// <summary>
/// Checks that deploy/postgres/schema.sql has been applied to the cluster database. Orleans' own failure on a missing
/// table ("Sequence contains no elements", or a retry loop on membership) says nothing about the cause, so silos and
/// gateways check first and stop with an error that names the script.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The version of the <c>orleans</c> component written by the current schema.sql (2 added <c>mcp_data_audit</c>).</summary>
    public const int ExpectedVersion = 2;

    /// <summary>Every query key Orleans' clustering, grain storage and reminder providers read with <c>Single()</c>.</summary>
    public static readonly IReadOnlyList<string> QueryKeys =
    [
        "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
        "MembershipReadRowKey", "MembershipReadAllKey", "GatewaysQueryKey", "DeleteMembershipTableEntriesKey",
        "CleanupDefunctSiloEntriesKey",
        "ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey",
        "ReadReminderRowsKey", "ReadReminderRowKey", "ReadRangeRows1Key", "ReadRangeRows2Key", "UpsertReminderRowKey",
        "DeleteReminderRowKey", "DeleteReminderRowsKey",
    ];

    private const string HowToApply =
        "Apply deploy/postgres/schema.sql (deploy/postgres/apply.sh 'postgresql://user:password@host:5432/database'; safe to run again) and start again.";

    public static async Task EnsureAppliedAsync(string connectionString, CancellationToken cancellationToken)
    {
        var where = Describe(connectionString);
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException($"Cannot reach the cluster database {where}: {e.Message}", e);
        }

        await using (var tables = new NpgsqlCommand(
            "SELECT to_regclass('orleansquery') IS NOT NULL AND to_regclass('mcp_schema') IS NOT NULL", connection))
        {
            if (await tables.ExecuteScalarAsync(cancellationToken) is not true)
            {
                throw new InvalidOperationException($"The cluster database {where} has no MCP Cluster schema. {HowToApply}");
            }
        }

        await using (var version = new NpgsqlCommand("SELECT version FROM mcp_schema WHERE component = 'orleans'", connection))
        {
            var applied = await version.ExecuteScalarAsync(cancellationToken) as int?;
            if (applied is null || applied < ExpectedVersion)
            {
                throw new InvalidOperationException(
                    $"The cluster database {where} has schema version {applied?.ToString() ?? "none"}; this build needs {ExpectedVersion}. {HowToApply}");
            }
        }

        await using var keys = new NpgsqlCommand("SELECT querykey FROM orleansquery", connection);
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await keys.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                present.Add(reader.GetString(0));
            }
        }
        var missing = QueryKeys.Where(k => !present.Contains(k)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The cluster database {where} lacks the Orleans queries {string.Join(", ", missing)}. {HowToApply}");
        }
    }

    /// <summary>Host, port and database of a connection string, without credentials, for error messages.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            var parsed = new NpgsqlConnectionStringBuilder(connectionString);
            return $"'{parsed.Database}' on {parsed.Host}:{parsed.Port}";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
