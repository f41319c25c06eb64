// Drives the gateway's MCP endpoint with the official MCP TypeScript SDK (Streamable HTTP), as an agent would, and
// prints what it saw as JSON for the xunit test to check. Usage: node mcp-client.mjs (settings in environment variables).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { MCP_URL, API_KEY, MODEL_TOOL, TEXT, PROMPT } = process.env;
const result = {};

const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { requestInit: { headers: { 'X-API-Key': API_KEY } } });
const client = new Client({ name: 'mcp-cluster-tests', version: '1.0.0' });
await client.connect(transport);
result.server = client.getServerVersion();
result.capabilities = client.getServerCapabilities();
result.session = transport.sessionId ?? null;

const tools = await client.listTools();
result.tools = tools.tools.map(t => ({ name: t.name, input: t.inputSchema, output: t.outputSchema ?? null }));

result.prediction = await client.callTool({ name: MODEL_TOOL, arguments: { text: TEXT } });
result.invalid = await client.callTool({ name: MODEL_TOOL, arguments: {} });
result.sources = await client.callTool({ name: 'data.sources', arguments: {} });
result.query = await client.callTool({
  name: 'data.query',
  arguments: { source: 'jobs_db', table: 'jobs', fields: ['job_id', 'title'], filters: [{ field: 'title', op: 'contains', value: 'engineer' }], order_by: ['job_id'], limit: 3 },
});
try {
  await client.callTool({ name: 'no.such.tool', arguments: {} });
  result.unknownTool = 'no error';
} catch (e) {
  result.unknownTool = { code: e.code, message: e.message };
}

const resources = await client.listResources();
result.resources = resources.resources.map(r => r.uri);
const templates = await client.listResourceTemplates();
result.templates = templates.resourceTemplates.map(t => t.uriTemplate);
result.schema = JSON.parse((await client.readResource({ uri: 'datasource://homebuilders_db' })).contents[0].text);
result.table = JSON.parse((await client.readResource({ uri: 'datasource://homebuilders_db/builders' })).contents[0].text);
try {
  await client.readResource({ uri: 'datasource://no_such_db' });
  result.missingResource = 'no error';
} catch (e) {
  result.missingResource = { code: e.code, message: e.message };
}

const prompts = await client.listPrompts();
result.prompts = prompts.prompts;
result.prompt = await client.getPrompt({ name: PROMPT, arguments: { text: 'Orleans grains are virtual actors.', audience: 'engineers' } });
try {
  await client.getPrompt({ name: PROMPT, arguments: { audience: 'engineers' } });
  result.promptMissingArgument = 'no error';
} catch (e) {
  result.promptMissingArgument = { code: e.code, message: e.message };
}
result.promptCompletion = (await client.complete({ ref: { type: 'ref/prompt', name: PROMPT }, argument: { name: 'audience', value: 'e' } })).completion;
result.sourceCompletion = (await client.complete({ ref: { type: 'ref/resource', uri: 'datasource://{source}/{table}' }, argument: { name: 'source', value: 'j' } })).completion;
result.tableCompletion = (await client.complete({
  ref: { type: 'ref/resource', uri: 'datasource://{source}/{table}' }, argument: { name: 'table', value: '' }, context: { arguments: { source: 'homebuilders_db' } },
})).completion;

await transport.terminateSession().catch(() => {});
await client.close();
console.log(JSON.stringify(result));
