// Subscribes to a resource and watches list changes through the official MCP TypeScript SDK, then makes changes
// through the REST API of CHANGE_URL (which may be another gateway of the same cluster) and reports which
// notifications arrived. Usage: node mcp-notifications.mjs (settings in environment variables).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ResourceUpdatedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema, PromptListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const { MCP_URL, API_KEY, CHANGE_URL, ADMIN_KEY, SOURCE, MODEL_NAME, PROMPT_NAME } = process.env;
const seen = { updated: [], resourcesListChanged: 0, toolsListChanged: 0, promptsListChanged: 0 };

const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { requestInit: { headers: { 'X-API-Key': API_KEY } } });
const client = new Client({ name: 'mcp-cluster-notifications', version: '1.0.0' });
client.setNotificationHandler(ResourceUpdatedNotificationSchema, n => { seen.updated.push(n.params.uri); });
client.setNotificationHandler(ResourceListChangedNotificationSchema, () => { seen.resourcesListChanged++; });
client.setNotificationHandler(ToolListChangedNotificationSchema, () => { seen.toolsListChanged++; });
client.setNotificationHandler(PromptListChangedNotificationSchema, () => { seen.promptsListChanged++; });
await client.connect(transport);
await client.listTools();
await client.subscribeResource({ uri: `datasource://${SOURCE}` });
// Give the SDK's standalone GET stream (which carries unsolicited notifications) a moment to open.
await new Promise(r => setTimeout(r, 500));

async function admin(method, path, body) {
  const response = await fetch(`${CHANGE_URL}${path}`, {
    method, headers: { 'X-API-Key': ADMIN_KEY, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}
async function until(condition, what) {
  const deadline = Date.now() + 15000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within 15 s: ${JSON.stringify(seen)}`);
    await new Promise(r => setTimeout(r, 50));
  }
}

await admin('POST', `/api/datasources/${SOURCE}/refresh`);
await until(() => seen.updated.includes(`datasource://${SOURCE}`), 'resources/updated');
await admin('POST', '/api/models', { name: MODEL_NAME, provider: 'builtin', config: { model: 'sentiment' } });
await until(() => seen.toolsListChanged > 0, 'tools/list_changed');
await admin('POST', '/prompts', { name: PROMPT_NAME, messages: [{ role: 'user', text: 'hello' }] });
await until(() => seen.promptsListChanged > 0, 'prompts/list_changed');
const tools = await client.listTools();
seen.newTool = tools.tools.some(t => t.name === `model.${MODEL_NAME}`);

await client.unsubscribeResource({ uri: `datasource://${SOURCE}` });
const before = seen.updated.length;
await admin('POST', `/api/datasources/${SOURCE}/refresh`);
await until(() => seen.resourcesListChanged >= 2, 'a second resources/list_changed');
seen.updatesAfterUnsubscribe = seen.updated.length - before;

await transport.terminateSession().catch(() => {});
await client.close();
console.log(JSON.stringify(seen));
