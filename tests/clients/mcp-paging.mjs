// Walks every page of tools/list, resources/list and prompts/list with the official MCP TypeScript SDK, following
// nextCursor, and sends a cursor the server never gave. Prints what it saw as JSON.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { MCP_URL, API_KEY } = process.env;
const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { requestInit: { headers: { 'X-API-Key': API_KEY } } });
const client = new Client({ name: 'mcp-cluster-paging', version: '1.0.0' });
await client.connect(transport);

async function walk(list, key) {
  const items = [];
  const sizes = [];
  let cursor;
  do {
    const page = await list(cursor === undefined ? {} : { cursor });
    sizes.push(page[key].length);
    items.push(...page[key]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return { items, sizes };
}

const tools = await walk(p => client.listTools(p), 'tools');
const resources = await walk(p => client.listResources(p), 'resources');
const prompts = await walk(p => client.listPrompts(p), 'prompts');
const result = {
  tools: tools.items.map(t => t.name), toolPages: tools.sizes,
  resources: resources.items.map(r => r.uri), resourcePages: resources.sizes,
  prompts: prompts.items.map(p => p.name), promptPages: prompts.sizes,
};
try {
  await client.listTools({ cursor: 'not-a-cursor-of-ours' });
  result.invalidCursor = 'accepted';
} catch (e) {
  result.invalidCursor = { code: e.code, message: String(e.message ?? e) };
}
await client.close();
console.log(JSON.stringify(result));
