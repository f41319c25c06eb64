using System.Net;
using System.Net.Http.Json;
using Mcp.Cluster.Tests.Infrastructure;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Mcp.Cluster.Tests.McpProtocol;

/// <summary>
/// Cursor pagination of tools/list, resources/list and prompts/list (Mcp:PageSize), through the official C# client on
/// the in-process gateway: every item once, in name order, across pages; opaque cursors that are checked; and pages
/// that stay sensible when the catalog changes between them.
/// </summary>
[Trait("Tier", "Api")]
public sealed class McpPagingTests : IAsyncLifetime
{
    private readonly GatewayFactory _gateway = new(new Dictionary<string, string?>
    {
        ["Mcp:PageSize"] = "3",
        ["Models:SeedBuiltInModels"] = "false",
        ["DataSources:SeedSamples"] = "false",
    });

    private HttpClient _admin = null!;
    private HttpClient _caller = null!;

    public async Task InitializeAsync()
    {
        _admin = _gateway.CreateClient(GatewayFactory.AdminKey);
        var (_, key) = await _gateway.CreateKeyAsync(new { owner = "pager", permissions = new[] { "read", "execute" } });
        _caller = _gateway.CreateClient(key);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        _caller.Dispose();
        await _gateway.DisposeAsync();
    }

    private Task<McpClient> ConnectAsync() => McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
    {
        Endpoint = new Uri(_caller.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp,
    }, _caller));

    private async Task RegisterAsync(params string[] names)
    {
        foreach (var name in names)
        {
            await _admin.RegisterModelAsync(new { name });
        }
    }

    private static async Task<(List<string> Names, int Pages)> WalkAsync(McpClient client)
    {
        var names = new List<string>();
        var pages = 0;
        string? cursor = null;
        do
        {
            var page = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor });
            Assert.True(page.Tools.Count <= 3, $"a page of {page.Tools.Count} tools");
            names.AddRange(page.Tools.Select(t => t.Name));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);
        return (names, pages);
    }

    [Fact]
    public async Task Tools_come_in_pages_of_the_configured_size_each_tool_once_in_name_order()
    {
        await RegisterAsync("page-e", "page-a", "page-d", "page-b", "page-c");
        await using var client = await ConnectAsync();

        var (names, pages) = await WalkAsync(client);

        string[] expected = ["data.ask", "data.query", "data.sources", "model.page-a", "model.page-b", "model.page-c", "model.page-d", "model.page-e"];
        Assert.Equal(expected, names);
        Assert.Equal(3, pages);
        // The client's own listing follows the cursors to the end too.
        Assert.Equal(expected, (await client.ListToolsAsync()).Select(t => t.Name));
        // The same cursor gives the same page again while nothing changes.
        var first = await client.ListToolsAsync(new ListToolsRequestParams());
        var again = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = first.NextCursor });
        var twice = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = first.NextCursor });
        Assert.Equal(again.Tools.Select(t => t.Name), twice.Tools.Select(t => t.Name));
        Assert.Equal(again.NextCursor, twice.NextCursor);
    }

    [Fact]
    public async Task A_change_between_pages_repeats_and_skips_nothing_that_was_there_throughout()
    {
        await RegisterAsync("turn-b", "turn-d", "turn-f", "turn-h");
        await using var client = await ConnectAsync();
        var first = await client.ListToolsAsync(new ListToolsRequestParams());
        Assert.Equal(["data.ask", "data.query", "data.sources"], first.Tools.Select(t => t.Name));
        var second = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = first.NextCursor });
        Assert.Equal(["model.turn-b", "model.turn-d", "model.turn-f"], second.Tools.Select(t => t.Name));

        // Before the cursor: a new tool (not seen; list_changed tells the client to list again). At the cursor: the
        // last tool sent is removed. After it: one new tool, which this walk does see.
        await RegisterAsync("turn-a", "turn-g");
        using (var deleted = await _admin.DeleteAsync("/api/models/turn-f"))
        {
            Assert.True(deleted.IsSuccessStatusCode, $"deleting turn-f answered {(int)deleted.StatusCode}");
        }
        await ModelTestHelpers.EventuallyAsync(async () => !(await client.ListToolsAsync()).Any(t => t.Name == "model.turn-f"),
            TimeSpan.FromSeconds(30), "turn-f to leave the tool list");

        var rest = new List<string>();
        string? cursor = second.NextCursor;
        while (cursor is not null)
        {
            var page = await client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor });
            rest.AddRange(page.Tools.Select(t => t.Name));
            cursor = page.NextCursor;
        }
        Assert.Equal(["model.turn-g", "model.turn-h"], rest);
    }

    [Theory]
    [InlineData("not base64 !")]
    [InlineData("")]
    [InlineData("AAAA")]
    [InlineData("dG9vbHMvbGlzdAotMQp4")] // "tools/list\n-1\nx": a negative count
    [InlineData("dG9vbHMvbGlzdAo5OTk5OTk5OTk5OTk5CngK")] // a count that overflows
    [InlineData("__8")] // bytes that are not UTF-8
    public async Task A_cursor_this_server_did_not_send_is_an_invalid_params_error(string cursor)
    {
        await using var client = await ConnectAsync();

        var error = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.ListToolsAsync(new ListToolsRequestParams { Cursor = cursor }));

        Assert.Equal(McpErrorCode.InvalidParams, error.ErrorCode);
        Assert.Contains("cursor", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_cursor_of_one_list_is_refused_by_another_and_an_overlong_one_unread()
    {
        for (var i = 0; i < 4; i++)
        {
            using var created = await _admin.PostAsJsonAsync("/prompts", Api.PromptRegistryTests.Summarize($"paged-{i}"));
            await created.AssertOkAsync(HttpStatusCode.Created);
        }
        await using var client = await ConnectAsync();
        var prompts = await client.ListPromptsAsync(new ListPromptsRequestParams());
        Assert.Equal(3, prompts.Prompts.Count);
        Assert.NotNull(prompts.NextCursor);
        // Every prompt (data.ask and the four) is reached by following the cursors.
        Assert.Equal(["data.ask", "paged-0", "paged-1", "paged-2", "paged-3"], (await client.ListPromptsAsync()).Select(p => p.Name));

        var wrongList = await Assert.ThrowsAsync<McpProtocolException>(async () => await client.ListToolsAsync(new ListToolsRequestParams { Cursor = prompts.NextCursor }));
        Assert.Equal(McpErrorCode.InvalidParams, wrongList.ErrorCode);
        var overlong = await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.ListResourcesAsync(new ListResourcesRequestParams { Cursor = new string('A', 100_000) }));
        Assert.Equal(McpErrorCode.InvalidParams, overlong.ErrorCode);
    }
}
