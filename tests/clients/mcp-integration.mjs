// Uses an upstream MCP server re-exposed by the gateway (federation) through the official MCP TypeScript SDK:
// namespaced tools with progress and cancellation, resources and prompts. Prints what it saw as JSON.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { MCP_URL, API_KEY, NS } = process.env;
const result = {};
const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { requestInit: { headers: { 'X-API-Key': API_KEY } } });
const client = new Client({ name: 'mcp-cluster-federation', version: '1.0.0' });
await client.connect(transport);

result.tools = (await client.listTools()).tools.map(t => t.name);
result.echo = await client.callTool({ name: `${NS}.echo`, arguments: { text: 'through the gateway' } });
const progress = [];
result.count = await client.callTool({ name: `${NS}.slow_count`, arguments: { steps: 5, delay_ms: 20 } }, undefined, {
  onprogress: p => progress.push(p),
});
result.progress = progress;

const controller = new AbortController();
setTimeout(() => controller.abort('enough'), 600);
const started = Date.now();
try {
  await client.callTool({ name: `${NS}.slow_count`, arguments: { steps: 100, delay_ms: 100 } }, undefined, { signal: controller.signal });
  result.cancelled = 'completed';
} catch (e) {
  result.cancelled = { message: String(e.message ?? e), afterMs: Date.now() - started };
}

result.resources = (await client.listResources()).resources.map(r => r.uri);
const greetingUri = result.resources.find(u => u.startsWith(`mcp-integration://${NS}/`));
result.greeting = (await client.readResource({ uri: greetingUri })).contents[0];
result.prompts = (await client.listPrompts()).prompts.map(p => p.name);
result.prompt = await client.getPrompt({ name: `${NS}.greet`, arguments: { name: 'Ada' } });

await transport.terminateSession().catch(() => {});
await client.close();
console.log(JSON.stringify(result));
