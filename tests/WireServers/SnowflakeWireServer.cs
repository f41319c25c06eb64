using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Data.Sqlite;

namespace Mcp.Cluster.Tests.WireServers;

/// <summary>
/// Speaks Snowflake's SQL API v2 (<c>POST /api/v2/statements</c>, <c>GET /api/v2/statements/{handle}[?partition=n]</c>,
/// <c>POST /api/v2/statements/{handle}/cancel</c>) with key-pair JWT authentication checked against a registered
/// public key, <c>jsonv2</c> results (every cell a string: NUMBER as text, DATE as days since the epoch, TIMESTAMP as
/// epoch seconds, BOOLEAN as true/false), result partitions, asynchronous execution (202 and polling) and the
/// documented errors (401, 408, 422). The SQL engine behind it is an in-memory SQLite database: the only rewriting
/// is dropping the <c>"DATABASE"."SCHEMA".</c> qualifier and ILIKE → LIKE, and <c>information_schema.columns</c> is
/// answered from SQLite's own catalog. Tables are created with <see cref="Seed"/> using Snowflake type names.
/// </summary>
public sealed class SnowflakeWireServer : WireServer, IDisposable
{
    private readonly SqliteConnection _keepAlive;
    private readonly string _connectionString;
    private readonly string _issuer;
    private readonly string _subject;
    private readonly RSA _publicKey;
    private readonly ConcurrentDictionary<string, Statement> _statements = new();

    public SnowflakeWireServer(string account, string user, RSA publicKey, string database, string schema)
    {
        _publicKey = publicKey;
        Database = database;
        Schema = schema;
        _subject = $"{account.ToUpperInvariant()}.{user.ToUpperInvariant()}";
        _issuer = $"{_subject}.SHA256:{Convert.ToBase64String(SHA256.HashData(publicKey.ExportSubjectPublicKeyInfo()))}";
        _connectionString = $"Data Source=snowflake-{Guid.NewGuid():N};Mode=Memory;Cache=Shared";
        _keepAlive = new SqliteConnection(_connectionString);
        _keepAlive.Open();
    }

    public string Database { get; }

    public string Schema { get; }

    /// <summary>Rows per result partition; larger results come in several.</summary>
    public int PartitionSize { get; set; } = 1000;

    /// <summary>How long every statement takes; past <see cref="SynchronousWait"/> the API answers 202 and the client polls.</summary>
    public TimeSpan ExecutionTime { get; set; }

    public TimeSpan SynchronousWait { get; set; } = TimeSpan.FromMilliseconds(500);

    public ConcurrentQueue<string> Cancelled { get; } = new();

    /// <summary>Runs SQLite DDL/DML to set up tables (declared with Snowflake type names such as NUMBER(10,2), DATE, VARIANT).</summary>
    public void Seed(string sql)
    {
        using var command = _keepAlive.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    protected override void MapRoutes(IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/v2/statements", async (HttpContext context) =>
        {
            if (Authenticate(context) is { } denied)
            {
                return denied;
            }
            var body = await JsonNode.ParseAsync(context.Request.Body) as JsonObject;
            var statementText = body?["statement"]?.GetValue<string>();
            if (statementText is null)
            {
                return Error(400, "391903", "The request body has no statement.", "");
            }
            if ((string?)body!["database"] != Database || (string?)body["schema"] != Schema)
            {
                return Error(422, "002043", $"SQL compilation error: Object does not exist, or operation cannot be performed. ({body["database"]}.{body["schema"]})", "02000");
            }
            var count = (string?)body["parameters"]?["MULTI_STATEMENT_COUNT"] ?? "1";
            if (count == "1" && statementText.TrimEnd().TrimEnd(';').Contains(';'))
            {
                return Error(422, "000008", "Actual statement count 2 did not match the desired statement count 1.", "0A000");
            }
            var timeout = TimeSpan.FromSeconds(body["timeout"]?.GetValue<int>() is int t and > 0 ? t : 172800);
            var handle = Guid.NewGuid().ToString();
            var statement = new Statement(handle);
            _statements[handle] = statement;
            statement.Result = RunAsync(statement, statementText, body["bindings"] as JsonObject, timeout);
            await Task.WhenAny(statement.Result, Task.Delay(SynchronousWait));
            return statement.Result.IsCompleted ? Answer(statement, partition: 0) : Running(statement);
        });

        routes.MapGet("/api/v2/statements/{handle}", (string handle, HttpContext context) =>
        {
            if (Authenticate(context) is { } denied)
            {
                return denied;
            }
            if (!_statements.TryGetValue(handle, out var statement))
            {
                return Error(404, "333333", "Statement handle not found.", "");
            }
            var partition = int.TryParse(context.Request.Query["partition"], CultureInfo.InvariantCulture, out var p) ? p : 0;
            return statement.Result!.IsCompleted ? Answer(statement, partition) : Running(statement);
        });

        routes.MapPost("/api/v2/statements/{handle}/cancel", (string handle, HttpContext context) =>
        {
            if (Authenticate(context) is { } denied)
            {
                return denied;
            }
            if (_statements.TryGetValue(handle, out var statement))
            {
                statement.Cancel.Cancel();
                Cancelled.Enqueue(handle);
            }
            return Results.Json(new { code = "000604", sqlState = "57014", message = "Statement cancelled.", statementHandle = handle });
        });
    }

    private IResult? Authenticate(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (context.Request.Headers["X-Snowflake-Authorization-Token-Type"] != "KEYPAIR_JWT" || !header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Error(401, "390101", "Authorization failed: missing KEYPAIR_JWT bearer token.", "");
        }
        var parts = header["Bearer ".Length..].Split('.');
        if (parts.Length != 3)
        {
            return Error(401, "390144", "JWT token is invalid.", "");
        }
        var signed = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        if (!_publicKey.VerifyData(signed, FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return Error(401, "390144", "JWT token is invalid (signature).", "");
        }
        var headerJson = JsonDocument.Parse(FromBase64Url(parts[0])).RootElement;
        var claims = JsonDocument.Parse(FromBase64Url(parts[1])).RootElement;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var iat = claims.GetProperty("iat").GetInt64();
        var exp = claims.GetProperty("exp").GetInt64();
        if (headerJson.GetProperty("alg").GetString() != "RS256" || claims.GetProperty("iss").GetString() != _issuer
            || claims.GetProperty("sub").GetString() != _subject || exp <= now || iat > now + 60 || exp - iat > 3600)
        {
            return Error(401, "390144", "JWT token is invalid (claims).", "");
        }
        return null;
    }

    private Task<Outcome> RunAsync(Statement statement, string sql, JsonObject? bindings, TimeSpan timeout) => Task.Run(async () =>
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(statement.Cancel.Token);
        deadline.CancelAfter(timeout);
        try
        {
            await Task.Delay(ExecutionTime, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            return statement.Cancel.IsCancellationRequested
                ? new Outcome(null, null, Error(422, "000604", "SQL execution canceled", "57014"))
                : new Outcome(null, null, Error(408, "000630", $"Statement reached its statement or warehouse timeout of {timeout.TotalSeconds:0} second(s) and was canceled.", "57014"));
        }
        try
        {
            return Execute(sql, bindings);
        }
        catch (SqliteException e)
        {
            return new Outcome(null, null, Error(422, "002003", $"SQL compilation error: {e.Message}", "42000"));
        }
        catch (Exception e)
        {
            return new Outcome(null, null, Error(500, "000603", $"Internal error in the wire server: {e}", "XX000"));
        }
    });

    private Outcome Execute(string sql, JsonObject? bindings)
    {
        var values = new List<object?>();
        for (var i = 1; bindings?[i.ToString(CultureInfo.InvariantCulture)] is JsonObject binding; i++)
        {
            var text = (string?)binding["value"];
            values.Add((string?)binding["type"] switch
            {
                "FIXED" => long.TryParse(text, CultureInfo.InvariantCulture, out var l) ? l : double.Parse(text!, CultureInfo.InvariantCulture),
                "REAL" => double.Parse(text!, CultureInfo.InvariantCulture),
                "BOOLEAN" => text == "true" ? 1L : 0L,
                _ => text,
            });
        }
        if (Regex.IsMatch(sql, @"\binformation_schema\.columns\b", RegexOptions.IgnoreCase))
        {
            return Catalog(values.FirstOrDefault() as string);
        }
        var translated = sql.Replace($"\"{Database}\".\"{Schema}\".", "", StringComparison.Ordinal);
        translated = Regex.Replace(translated, @"\bILIKE\b", "LIKE", RegexOptions.IgnoreCase);
        translated = NumberPlaceholders(translated);

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = translated;
        for (var i = 0; i < values.Count; i++)
        {
            command.Parameters.Add(new SqliteParameter($"?{i + 1}", values[i] ?? DBNull.Value));
        }
        using var reader = command.ExecuteReader();
        var rowType = new List<(string Name, string Type, int Scale)>();
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var (type, scale) = RowType(reader.GetDataTypeName(i), reader.GetFieldType(i));
            rowType.Add((reader.GetName(i), type, scale));
        }
        var rows = new List<string?[]>();
        while (reader.Read())
        {
            var row = new string?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : Cell(reader.GetValue(i), rowType[i].Type);
            }
            rows.Add(row);
        }
        return new Outcome(rowType, rows, null);
    }

    /// <summary>Snowflake's positional ? become SQLite's ?1, ?2, … (outside string literals), which bind by name.</summary>
    private static string NumberPlaceholders(string sql)
    {
        var result = new StringBuilder(sql.Length + 8);
        var inString = false;
        var next = 1;
        foreach (var c in sql)
        {
            if (c == '\'')
            {
                inString = !inString;
            }
            if (c == '?' && !inString)
            {
                result.Append('?').Append(next++);
                continue;
            }
            result.Append(c);
        }
        return result.ToString();
    }

    private Outcome Catalog(string? schema)
    {
        var rows = new List<string?[]>();
        if (schema == Schema)
        {
            using var connection = new SqliteConnection(_connectionString);
            connection.Open();
            using var tables = connection.CreateCommand();
            tables.CommandText = """
                SELECT m.name, p.name, p.type, p."notnull"
                FROM sqlite_schema m JOIN pragma_table_info(m.name) p
                WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid
                """;
            using var reader = tables.ExecuteReader();
            while (reader.Read())
            {
                var (type, scale) = RowType(reader.GetString(2), typeof(string));
                var dataType = type switch
                {
                    "fixed" => "NUMBER",
                    "real" => "FLOAT",
                    var other => other.ToUpperInvariant(),
                };
                rows.Add([reader.GetString(0), reader.GetString(1), dataType, reader.GetInt64(3) == 0 ? "YES" : "NO",
                    type == "fixed" ? scale.ToString(CultureInfo.InvariantCulture) : null]);
            }
        }
        return new Outcome([("TABLE_NAME", "text", 0), ("COLUMN_NAME", "text", 0), ("DATA_TYPE", "text", 0), ("IS_NULLABLE", "text", 0), ("NUMERIC_SCALE", "fixed", 0)], rows, null);
    }

    /// <summary>The Snowflake row type for a declared column type (or, for expressions, the value's type).</summary>
    private static (string Type, int Scale) RowType(string declared, Type valueType)
    {
        var upper = declared.ToUpperInvariant();
        var scale = Regex.Match(upper, @"^(NUMBER|DECIMAL|NUMERIC)\(\d+,\s*(\d+)\)$");
        return upper switch
        {
            _ when scale.Success => ("fixed", int.Parse(scale.Groups[2].Value, CultureInfo.InvariantCulture)),
            _ when upper.StartsWith("NUMBER", StringComparison.Ordinal) || upper.Contains("INT", StringComparison.Ordinal) => ("fixed", 0),
            "FLOAT" or "REAL" or "DOUBLE" => ("real", 0),
            "BOOLEAN" => ("boolean", 0),
            "DATE" => ("date", 0),
            "TIMESTAMP_NTZ" or "TIMESTAMP_LTZ" or "TIMESTAMP_TZ" => (upper.ToLowerInvariant(), 9),
            "VARIANT" or "OBJECT" or "ARRAY" => (upper.ToLowerInvariant(), 0),
            "" when valueType == typeof(long) => ("fixed", 0),
            "" when valueType == typeof(double) => ("real", 0),
            _ => ("text", 0),
        };
    }

    private static string Cell(object value, string type) => type switch
    {
        "date" => (DateOnly.ParseExact((string)value, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber
            - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber).ToString(CultureInfo.InvariantCulture),
        "timestamp_ntz" or "timestamp_ltz" => EpochSeconds(DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
        "timestamp_tz" => $"{EpochSeconds(DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))} {1440 + (int)DateTimeOffset.Parse((string)value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).Offset.TotalMinutes}",
        "boolean" => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0 ? "true" : "false",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string EpochSeconds(DateTimeOffset moment) =>
        ((decimal)(moment.UtcTicks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond).ToString("0.000000000", CultureInfo.InvariantCulture);

    private IResult Answer(Statement statement, int partition)
    {
        var outcome = statement.Result!.Result;
        if (outcome.Error is not null)
        {
            return outcome.Error;
        }
        var rows = outcome.Rows!;
        var partitions = Math.Max(1, (rows.Count + PartitionSize - 1) / PartitionSize);
        if (partition < 0 || partition >= partitions)
        {
            return Error(422, "000005", $"Partition {partition} does not exist.", "");
        }
        var data = rows.Skip(partition * PartitionSize).Take(PartitionSize).ToArray();
        if (partition > 0)
        {
            return Results.Json(new { data });
        }
        return Results.Json(new
        {
            resultSetMetaData = new
            {
                numRows = rows.Count,
                format = "jsonv2",
                partitionInfo = Enumerable.Range(0, partitions).Select(p => new { rowCount = Math.Min(PartitionSize, rows.Count - p * PartitionSize) }).ToArray(),
                rowType = outcome.RowType!.Select(c => new { name = c.Name, type = c.Type, scale = c.Scale, precision = 38, nullable = true }).ToArray(),
            },
            data,
            code = "090001",
            statementStatusUrl = $"/api/v2/statements/{statement.Handle}",
            sqlState = "00000",
            statementHandle = statement.Handle,
            message = "Statement executed successfully.",
        });
    }

    private static IResult Running(Statement statement) => Results.Json(new
    {
        code = "333334",
        message = "Asynchronous execution in progress. Use provided query id to perform query monitoring and management.",
        statementHandle = statement.Handle,
        statementStatusUrl = $"/api/v2/statements/{statement.Handle}",
    }, statusCode: StatusCodes.Status202Accepted);

    private static IResult Error(int status, string code, string message, string sqlState) =>
        Results.Json(new { code, message, sqlState, statementHandle = Guid.NewGuid().ToString() }, statusCode: status);

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(padded + new string('=', (4 - padded.Length % 4) % 4));
    }

    public void Dispose() => _keepAlive.Dispose();

    private sealed class Statement(string handle)
    {
        public string Handle { get; } = handle;

        public CancellationTokenSource Cancel { get; } = new();

        public Task<Outcome>? Result { get; set; }
    }

    private sealed record Outcome(List<(string Name, string Type, int Scale)>? RowType, List<string?[]>? Rows, IResult? Error);
}
