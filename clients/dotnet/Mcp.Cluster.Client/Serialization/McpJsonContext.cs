using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mcp.Cluster.Client;

/// <summary>Every wire type, source-generated, with the gateway's snake_case names; nulls are left out of requests.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(DataAskRequest))]
[JsonSerializable(typeof(DataSqlRequest))]
[JsonSerializable(typeof(DataQueryRequest))]
[JsonSerializable(typeof(DataQueryResult))]
[JsonSerializable(typeof(DataAskResult))]
[JsonSerializable(typeof(DataSourceList))]
[JsonSerializable(typeof(DataSourceSchema))]
[JsonSerializable(typeof(RegisterModelRequest))]
[JsonSerializable(typeof(RegisteredModel))]
[JsonSerializable(typeof(ModelInfo))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelStatus))]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(IssuedKey))]
[JsonSerializable(typeof(ApiKeyInfo))]
[JsonSerializable(typeof(ApiKeyList))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class McpJsonContext : JsonSerializerContext;
