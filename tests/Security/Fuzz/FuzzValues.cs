using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;

namespace Mcp.Cluster.Tests.Security.Fuzz;

/// <summary>
/// Generators of request parts from the OpenAPI schemas, as JSON text (so a body can hold what a serializer would
/// never write: duplicate properties, lone surrogates, truncation).
/// SAFETY: nothing generated may send the gateway anywhere but a closed loopback port. Fields that look like URLs,
/// hosts or connection targets only ever get loopback values; free strings use an alphabet without '.', ':' and
/// '/', so they cannot spell a host or URL; names of providers and channels that have a public default endpoint
/// (OpenAI, Hugging Face, PagerDuty, Snowflake, Azure, PostgreSQL) are never generated.
/// </summary>
public sealed partial class FuzzValues(JsonElement document, IReadOnlyList<string> knownNames)
{
    private const int MaxDepth = 3;

    public static readonly string[] LoopbackTargets =
        ["http://127.0.0.1:9/", "http://127.0.0.1:9/v1/", "http://127.0.0.1:9/x?y=1", "http://[::1]:9/", "127.0.0.1", "127.0.0.1:9", "http://localhost:9/"];

    private static readonly string[] PathValues = ["samples/jobs.db", "missing.db", "", "samples/jobs.db\\u0000x"];

    private static readonly HashSet<string> Remote = new(StringComparer.OrdinalIgnoreCase)
        { "openai", "huggingface", "hugging_face", "pagerduty", "snowflake", "azure_blob", "azureblob", "azure", "postgres", "postgresql", "s3" };

    private static readonly string[] FixedStrings =
    [
        "", " ", "null", "sentiment", "mod_builtin_sentiment_v1", "sentiment@1.0.0", "admin", "read", "write", "execute", "builtin", "http",
        "sqlite", "webhook", "email", "slack", "${DEMO_API_KEY}", "select 1", "*", "\\u0000", "\\ud800", "a\\udc00b", "\\\"", "\\\\", "é", "😀",
        "<script>", "' or 1=1 --", "%00", "{}", "[]", "true", "-1", "0", "1e309",
    ];

    private static readonly string[] Numbers =
        ["0", "1", "-1", "2", "10", "100", "1000000", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809", "1e308", "1.5", "-0.0", "1e-400", "99999999999999999999999", new string('9', 400)];

    private static readonly string[] PropertyPool =
    [
        "name", "version", "provider", "config", "url", "base_url", "api_key", "text", "inputs", "model", "model_id", "messages", "role", "content",
        "prompt", "owner", "permissions", "path", "type", "query", "fields", "filters", "sql", "source", "limit", "offset", "days", "description",
        "input_schema", "output_schema", "status", "max_tokens", "stream", "request_id", "rate_limit", "expires_in_days", "grants", "headers", "timeout",
    ];

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string?, int), Gen<string>> _cache = new();

    public static Gen<string> SafeWord { get; } =
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789_- ABCXYZé"].Array[0, 12].Select(chars => new string(chars)).Where(s => !Remote.Contains(s.Trim()));

    /// <summary>A JSON string literal (with its quotes).</summary>
    public static Gen<string> StringLiteral { get; } = Gen.Frequency(
        (3, SafeWord.Select(Quote)),
        (2, Gen.OneOf(FixedStrings).Select(s => $"\"{s}\"")),
        (1, Gen.Int[100, 3000].Select(n => Quote(new string('a', n)))));

    public static Gen<string> NumberLiteral { get; } = Gen.Frequency((3, Gen.OneOf(Numbers)), (1, Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    public static Gen<string> QueryValue(string name) => IsUrlLike(name)
        ? Gen.OneOf(LoopbackTargets)
        : Gen.Frequency(
            (3, SafeWord),
            (2, Gen.OneOf(Numbers)),
            (1, Gen.OneOf("true", "false", "", "sentiment", "information", "debug", "none", "%00", "\u0000", "é", "-", "1,2", "sentiment@1.0.0")));

    public Gen<string> PathValue { get; } = Gen.Frequency(
        (3, Gen.OneOf(knownNames.ToArray())),
        (3, SafeWord.Where(s => s.Length > 0)),
        (1, Gen.OneOf("..", ".", "%", "a b", "é", "@", "sentiment@", "sentiment@latest", "x@1", new string('z', 300), "\u0000", "a/b")));

    /// <summary>
    /// Valid bodies (all targets loopback) for operations whose schema says little, so mutations of them get past
    /// the first checks into registration, governance and alerting code.
    /// </summary>
    private static readonly Dictionary<string, string[]> Seeds = new()
    {
        ["POST /api/models"] =
        [
            """{"name":"fz-m","provider":"builtin","config":{"model":"sentiment"}}""",
            """{"name":"fz-h","version":"1.0.1","provider":"http","config":{"url":"http://127.0.0.1:9/predict","timeout_seconds":1},"input_schema":{"type":"object","properties":{"text":{"type":"string"}}}}""",
        ],
        ["PATCH /api/models/{model}"] = ["""{"description":"d","status":"maintenance","config":{"url":"http://127.0.0.1:9/"}}"""],
        ["POST /api/datasources"] =
        [
            """{"name":"fz_db","type":"sqlite","config":{"path":"samples/jobs.db"},"default_access":"read","masks":{"jobs.title":"hash"}}""",
            """{"name":"fz_pg","type":"sqlite","config":{"path":"missing.db"},"quotas":{"daily_queries":5}}""",
        ],
        ["PATCH /api/datasources/{name}"] = ["""{"description":"d","default_access":"none","masks":{"jobs.title":"redact"}}"""],
        ["PUT /api/datasources/{name}/grants/{subject}"] =
            ["""{"tables":{"jobs":{"fields":["job_id","title"],"row_filters":[{"field":"job_id","op":"gt","value":1}]}},"sql":true}"""],
        ["POST /api/data/query"] = ["""{"source":"jobs_db","table":"jobs","fields":["job_id"],"filters":[{"field":"job_id","op":"eq","value":1}],"limit":5}"""],
        ["POST /api/data/sql"] = ["""{"source":"jobs_db","sql":"select job_id from jobs limit 3"}"""],
        ["PUT /api/alerts/channels/{name}"] = ["""{"type":"webhook","url":"http://127.0.0.1:9/hook"}"""],
        ["PUT /api/alerts/rules/{name}"] =
            ["""{"kind":"error_rate","threshold":0.3,"window_seconds":30,"for_seconds":0,"min_samples":4,"severity":"critical","source":"jobs_db","channels":["x"]}"""],
        ["POST /api/keys"] = ["""{"owner":"fz","permissions":["read"],"rate_limit":"10/minute","expires_in_days":1}"""],
        ["POST /prompts"] =
            ["""{"name":"fz_p","title":"T","description":"d","arguments":[{"name":"text","required":true}],"messages":[{"role":"user","content":"Say {{text}}"}]}"""],
        ["POST /prompts/{name}/render"] = ["""{"arguments":{"text":"hi"}}"""],
        ["POST /tools"] = ["""{"name":"fz_tool","url":"http://127.0.0.1:9/tool","input_schema":{"type":"object"}}"""],
        ["POST /integrations"] = ["""{"name":"fz_int","url":"http://127.0.0.1:9/mcp"}"""],
        ["POST /api/models/{model}/predict"] = ["""{"text":"what a day"}"""],
        ["POST /api/models/{model}/predict/batch"] = ["""{"inputs":[{"text":"good"},{"text":"bad"}]}"""],
        ["POST /tools/{name}/execute"] = ["""{"text":"good"}"""],
        ["POST /completions"] = ["""{"model_id":"sentiment","messages":[{"role":"user","content":"hi"}],"max_tokens":5,"request_id":"r1"}"""],
        ["POST /v1/chat/completions"] = ["""{"model":"sentiment","messages":[{"role":"user","content":"hi"}],"max_tokens":5}"""],
        ["POST /v1/embeddings"] = ["""{"model":"sentiment","input":["a","b"]}"""],
        ["POST /api/keys/{key_id}/rotate"] = ["""{"grace_period_seconds":0}"""],
        ["PUT /api/models/names/{name}/aliases/{alias}"] = ["""{"version":"1.0.0"}"""],
    };

    /// <summary>A seed body with each top-level property kept, dropped or replaced by a generated value.</summary>
    private Gen<string> Mutated(string seed)
    {
        using var document = JsonDocument.Parse(seed);
        Gen<string> members = Gen.Const("");
        foreach (var property in document.RootElement.EnumerateObject())
        {
            var name = property.Name;
            var original = Quote(name) + ":" + property.Value.GetRawText();
            var replaced = Value(null, name, 1).Select(v => Quote(name) + ":" + v);
            members = Gen.Select(members, Gen.Frequency((6, Gen.Const(original)), (1, Gen.Const("")), (2, replaced)), Join);
        }
        return members.Select(m => "{" + m + "}");
    }

    /// <summary>A JSON text for the operation: mostly shaped like its schema or seeds, sometimes broken on purpose.</summary>
    public Gen<string> Body(string operation, JsonElement? schema)
    {
        var shaped = Seeds.TryGetValue(operation, out var seeds)
            ? Gen.Frequency((1, Value(schema, null, 0)), (3, Gen.OneOf(seeds.Select(Mutated).ToArray())))
            : Value(schema, null, 0);
        return Body(shaped);
    }

    public Gen<string> Body(JsonElement? schema) => Body(Value(schema, null, 0));

    private static Gen<string> Body(Gen<string> shaped) => Gen.Frequency(
        (12, shaped),
        (2, shaped.Select(DuplicateFirstProperty)),
        (2, shaped.Select(InjectLoneSurrogate)),
        (1, shaped.Select(t => t[..(t.Length / 2)])),
        (1, Gen.OneOf("", "null", "[]", "1", "\"s\"", "{}", "not json", "{'a':1}", "{\"a\":1,}", "\u0000", "{\"text\":\"\\ud800\"}",
            "{\"text\":\"a\",\"text\":\"b\"}", new string('[', 300) + new string(']', 300))));

    private Gen<string> Value(JsonElement? schema, string? name, int depth)
    {
        if (name is not null && IsUrlLike(name))
        {
            return Gen.Frequency((9, Gen.OneOf(LoopbackTargets).Select(Quote)), (1, Gen.OneOf("null", "1", "{}")));
        }
        if (name is not null && IsPathLike(name))
        {
            return Gen.OneOf(PathValues).Select(p => $"\"{p}\"");
        }
        var key = (schema?.GetRawText() ?? "", name, depth);
        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var gen = Build(schema is { } s ? Resolve(s) : null, name, depth);
        _cache[key] = gen;
        return gen;
    }

    private Gen<string> Build(JsonElement? schema, string? name, int depth)
    {
        if (schema is not { ValueKind: JsonValueKind.Object } s || depth > MaxDepth)
        {
            return Any(depth);
        }
        foreach (var combinator in new[] { "oneOf", "anyOf", "allOf" })
        {
            if (s.TryGetProperty(combinator, out var options) && options.GetArrayLength() > 0)
            {
                return Gen.OneOf(options.EnumerateArray().Select(o => Value(o, name, depth)).ToArray());
            }
        }
        if (s.TryGetProperty("enum", out var values))
        {
            var allowed = values.EnumerateArray().Select(v => v.GetRawText())
                .Where(v => !Remote.Contains(v.Trim('"'))).ToArray();
            return allowed.Length == 0 ? StringLiteral : Gen.Frequency((4, Gen.OneOf(allowed)), (1, StringLiteral));
        }
        var type = TypeOf(s);
        var shaped = type switch
        {
            "object" => ObjectOf(s, depth),
            "array" => Value(s.TryGetProperty("items", out var items) ? items : null, name, depth + 1).Array[0, 3]
                .Select(elements => "[" + string.Join(",", elements) + "]"),
            "string" => StringLiteral,
            "integer" or "number" => NumberLiteral,
            "boolean" => Gen.OneOf("true", "false"),
            _ => Any(depth),
        };
        // Sometimes the wrong type, or null.
        return Gen.Frequency((8, shaped), (1, Gen.OneOf("null", "1", "\"x\"", "[]", "{}")));
    }

    private Gen<string> ObjectOf(JsonElement schema, int depth)
    {
        if (!schema.TryGetProperty("properties", out var properties))
        {
            return Any(depth);
        }
        var required = schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(e => e.GetString()).ToHashSet() : [];
        Gen<string> members = Gen.Const("");
        foreach (var property in properties.EnumerateObject())
        {
            var name = property.Name;
            var value = Value(property.Value, name, depth + 1).Select(v => Quote(name) + ":" + v);
            var optional = Gen.Frequency((required.Contains(name) ? 9 : 3, value), (1, Gen.Const("")));
            members = Gen.Select(members, optional, Join);
        }
        var extra = Gen.Frequency((6, Gen.Const("")), (1, SafeWord.Select(w => Quote("x_" + w) + ":1")));
        return Gen.Select(members, extra, (m, e) => "{" + Join(m, e) + "}");
    }

    /// <summary>Any JSON: objects use names from the API's own vocabulary, so deep fields get reached too.</summary>
    private Gen<string> Any(int depth)
    {
        var scalar = Gen.Frequency((3, StringLiteral), (2, NumberLiteral), (1, Gen.OneOf("true", "false", "null")));
        if (depth >= MaxDepth)
        {
            return scalar;
        }
        var member = Gen.OneOf(PropertyPool.Select(name => Value(null, name, depth + 1).Select(v => Quote(name) + ":" + v)).ToArray());
        var obj = member.Array[0, 4].Select(m => "{" + string.Join(",", m) + "}");
        var array = scalar.Array[0, 3].Select(e => "[" + string.Join(",", e) + "]");
        return Gen.Frequency((4, scalar), (2, obj), (1, array));
    }

    private JsonElement Resolve(JsonElement schema)
    {
        for (var i = 0; i < 10 && schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference); i++)
        {
            var target = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                if (!target.TryGetProperty(part, out target))
                {
                    return default;
                }
            }
            schema = target;
        }
        return schema;
    }

    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : null;
        }
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null")
            : type.GetString();
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "," + b;

    private static string DuplicateFirstProperty(string json) =>
        json.StartsWith('{') && json.Length > 2 ? "{\"text\":\"a\",\"text\":\"b\"," + json[1..] : "{\"name\":\"a\",\"name\":\"b\"}";

    private static string InjectLoneSurrogate(string json) =>
        json.StartsWith('{') && json.Length > 2 ? "{\"text\":\"\\ud800\"," + json[1..] : "[\"\\udfff\"]";

    public static string Quote(string raw)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in raw)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return builder.Append('"').ToString();
    }

    public static bool IsUrlLike(string name) => UrlLike().IsMatch(name);

    private static bool IsPathLike(string name) => PathLike().IsMatch(name);

    [GeneratedRegex("url|uri|endpoint|host|webhook|account|server|dsn|connection|address|smtp|domain|proxy|callback|redirect|link|href|base|origin|site|port|tenant|region|bucket|container|warehouse",
        RegexOptions.IgnoreCase)]
    private static partial Regex UrlLike();

    [GeneratedRegex("path|file|directory|folder|database|^db$", RegexOptions.IgnoreCase)]
    private static partial Regex PathLike();
}
