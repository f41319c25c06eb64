using System.Text;
using Mcp.Cluster.ApiKeys;
using Mcp.Cluster.Storage;
using Mcp.Cluster.Tests.Infrastructure;
using Mcp.Cluster.Tests.Infrastructure.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace Mcp.Cluster.Tests.Grains;

/// <summary>
/// Every persisted state type through the embedded storage and the stored format: several grains of one type side by
/// side, rows written before the marked format, golden payloads of this version, and a type that gains a field.
/// </summary>
[Trait("Tier", "Grain")]
public sealed class GrainStateFormatTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();
    private readonly TempDirectory _data = new();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    private GrainStateSerializer Format => new(Serializer, new OrleansGrainStorageSerializer(Serializer));

    [Theory]
    [MemberData(nameof(PersistedStateTypes.Names), MemberType = typeof(PersistedStateTypes))]
    public async Task Every_state_type_round_trips_through_the_embedded_storage_with_several_grains_side_by_side(string typeName)
    {
        var storage = new SqliteGrainStorage("test", new SqliteStorageOptions { DatabasePath = Path.Combine(_data.Path, "grains.db") },
            Format, NullLogger<SqliteGrainStorage>.Instance);
        await storage.InitializeAsync(CancellationToken.None);
        await (Task)typeof(GrainStateFormatTests).GetMethod(nameof(RoundTripAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(PersistedStateTypes.Find(typeName)).Invoke(null, [storage])!;
    }

    internal static async Task RoundTripAsync<T>(IGrainStorage storage)
    {
        var samples = Enumerable.Range(1, 3).Select(seed => new StateSamples(seed).Create<T>()).ToArray();
        var ids = samples.Select((_, i) => GrainId.Create("roundtrip", $"{typeof(T).Name}-{i}-{Guid.NewGuid():N}")).ToArray();
        for (var i = 0; i < samples.Length; i++)
        {
            await storage.WriteStateAsync("state", ids[i], new GrainState<T>(samples[i], null));
        }
        // All read back before any is compared, as a silo loads many grains of one type.
        var loaded = new List<GrainState<T>>();
        foreach (var id in ids)
        {
            var state = new GrainState<T>();
            await storage.ReadStateAsync("state", id, state);
            loaded.Add(state);
        }
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.True(loaded[i].RecordExists);
            Assert.Equal(StateDump.Of(samples[i]), StateDump.Of(loaded[i].State));
        }
    }

    [Fact]
    public void Payloads_are_marked_and_rows_of_the_former_binary_format_still_load()
    {
        var sample = new StateSamples(5).Create<ApiKeyState>();
        Assert.True(GrainStateSerializer.IsCurrentFormat(Format.Serialize(sample).ToMemory().Span));

        var former = new OrleansGrainStorageSerializer(Serializer).Serialize(sample);
        Assert.False(GrainStateSerializer.IsCurrentFormat(former.ToMemory().Span));
        Assert.Equal(StateDump.Of(sample), StateDump.Of(Format.Deserialize<ApiKeyState>(former)));
    }

    /// <summary>
    /// Rows the PostgreSQL mode wrote before were Newtonsoft JSON. They load, and into objects of their own: before,
    /// keys loaded one after another all ended up with the last one's limits.
    /// </summary>
    [Fact]
    public void Rows_of_the_former_json_format_load_without_sharing_limits()
    {
        var json = new JsonGrainStorageSerializer(new OrleansJsonSerializer(Options.Create(new OrleansJsonSerializerOptions())));
        var format = new GrainStateSerializer(Serializer, json);
        var fast = new ApiKeyState { Owner = "fast", RateLimit = new RateLimit(1000, TimeSpan.FromMinutes(1)) };
        var slow = new ApiKeyState { Owner = "slow", RateLimit = new RateLimit(5, TimeSpan.FromMinutes(1)), Quotas = new QuotaLimits(3, null) };
        var defaults = new ApiKeyState { Owner = "defaults" };
        var fastBytes = json.Serialize(fast);
        var slowBytes = json.Serialize(slow);
        var defaultBytes = json.Serialize(defaults);

        var loadedFast = format.Deserialize<ApiKeyState>(fastBytes)!;
        var loadedSlow = format.Deserialize<ApiKeyState>(slowBytes)!;
        var loadedDefaults = format.Deserialize<ApiKeyState>(defaultBytes)!;

        Assert.Equal(new RateLimit(1000, TimeSpan.FromMinutes(1)), loadedFast.RateLimit);
        Assert.Equal(new QuotaLimits(null, null), loadedFast.Quotas);
        Assert.Equal(new RateLimit(5, TimeSpan.FromMinutes(1)), loadedSlow.RateLimit);
        Assert.Equal(new QuotaLimits(3, null), loadedSlow.Quotas);
        Assert.Equal(new RateLimit(100, TimeSpan.FromMinutes(1)), loadedDefaults.RateLimit);
        Assert.Equal(new QuotaLimits(null, null), loadedDefaults.Quotas);
        Assert.Equal(new RateLimit(100, TimeSpan.FromMinutes(1)), new ApiKeyState().RateLimit);
    }

    /// <summary>
    /// Golden payloads written by this version (tests/Golden/state). Each must still load with today's types and hold
    /// every value it held when written; members added since may add lines. Regenerate one that is missing with
    /// MCP_WRITE_GOLDEN=1 (never to make a failing one pass: that would hide lost data).
    /// </summary>
    [Theory]
    [MemberData(nameof(PersistedStateTypes.Names), MemberType = typeof(PersistedStateTypes))]
    public void Golden_payloads_of_this_version_still_load_with_every_value(string typeName)
    {
        var type = PersistedStateTypes.Find(typeName);
        var directory = Path.Combine(CommandLine.RepositoryRoot, "tests", "Golden", "state");
        var payloadPath = Path.Combine(directory, $"{type.Name}.bin");
        var dumpPath = Path.Combine(directory, $"{type.Name}.txt");
        if (!File.Exists(payloadPath) && Environment.GetEnvironmentVariable("MCP_WRITE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(directory);
            var sample = new StateSamples(7).Create(type, 0);
            File.WriteAllBytes(payloadPath, Serialize(type, sample));
            File.WriteAllLines(dumpPath, StateDump.Of(sample).Select(l => $"{l.Key} = {l.Value}"));
        }
        Assert.True(File.Exists(payloadPath), $"{payloadPath} is missing: a new state type needs its golden payload (MCP_WRITE_GOLDEN=1).");

        var loaded = Deserialize(type, File.ReadAllBytes(payloadPath));
        var now = StateDump.Of(loaded);
        foreach (var line in File.ReadAllLines(dumpPath, Encoding.UTF8))
        {
            var separator = line.IndexOf(" = ", StringComparison.Ordinal);
            var (path, value) = (line[..separator], line[(separator + 3)..]);
            Assert.True(now.TryGetValue(path, out var current), $"{type.Name}: {path} is gone");
            Assert.True(value == current, $"{type.Name}: {path} was '{value}', now '{current}'");
        }
    }

    /// <summary>A state type that gains a member still loads what the previous shape stored.</summary>
    [Fact]
    public void A_state_type_that_gains_a_member_loads_payloads_of_its_previous_shape()
    {
        var before = new ShapeBefore { Name = "kept", Limit = 42 };
        var bytes = Format.Serialize(before);
        var after = Format.Deserialize<ShapeAfter>(bytes)!;
        Assert.Equal("kept", after.Name);
        Assert.Equal(42, after.Limit);
        Assert.Equal(new RateLimit(100, TimeSpan.FromMinutes(1)), after.Added);
    }

    private byte[] Serialize(Type type, object? value) =>
        ((BinaryData)typeof(GrainStateSerializer).GetMethod(nameof(GrainStateSerializer.Serialize))!.MakeGenericMethod(type)
            .Invoke(Format, [value])!).ToArray();

    private object? Deserialize(Type type, byte[] payload) =>
        typeof(GrainStateSerializer).GetMethod(nameof(GrainStateSerializer.Deserialize))!.MakeGenericMethod(type)
            .Invoke(Format, [new BinaryData(payload)]);

    public void Dispose()
    {
        _services.Dispose();
        _data.Dispose();
    }
}

[GenerateSerializer, Alias("mcp.tests.ShapeBefore")]
public sealed class ShapeBefore
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Limit { get; set; }
}

[GenerateSerializer, Alias("mcp.tests.ShapeAfter")]
public sealed class ShapeAfter
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public int Limit { get; set; }
    [Id(2)] public RateLimit Added { get; set; } = RateLimit.Default;
}
