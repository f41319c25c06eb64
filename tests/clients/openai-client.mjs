// Drives a running gateway with the official OpenAI library, exactly as an application would, and prints what it
// saw as JSON for the xunit test to check. Usage: node openai-client.mjs (settings in environment variables).
import OpenAI from 'openai';

const { GATEWAY_URL, API_KEY, CHAT_MODEL, EMBED_MODEL, FLAKY_MODEL } = process.env;
const client = new OpenAI({ apiKey: API_KEY, baseURL: `${GATEWAY_URL}/v1`, maxRetries: 0, timeout: 20_000 });
const result = {};

const models = [];
for await (const model of client.models.list()) {
  models.push(model.id);
}
result.models = models;

const completion = await client.chat.completions.create({
  model: CHAT_MODEL,
  messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello from the sdk' }],
  max_tokens: 50,
});
result.completion = {
  content: completion.choices[0].message.content,
  finish_reason: completion.choices[0].finish_reason,
  usage: completion.usage,
};

const stream = await client.chat.completions.create({
  model: CHAT_MODEL,
  messages: [{ role: 'user', content: 'stream these words please' }],
  stream: true,
  stream_options: { include_usage: true },
});
const pieces = [];
let finish = null;
let usage = null;
for await (const chunk of stream) {
  if (chunk.choices.length > 0) {
    pieces.push(chunk.choices[0].delta?.content ?? '');
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  usage = chunk.usage ?? usage;
}
result.stream = { text: pieces.join(''), chunks: pieces.filter((p) => p.length > 0).length, finish_reason: finish, usage };

const embeddings = await client.embeddings.create({ model: EMBED_MODEL, input: ['alpha', 'beta'] });
result.embeddings = embeddings.data.map((d) => Array.from(d.embedding));

try {
  await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
  result.missing_model = 'no error';
} catch (error) {
  result.missing_model = { kind: error.constructor.name, status: error.status, code: error.code };
}

try {
  const broken = await client.chat.completions.create({
    model: FLAKY_MODEL,
    messages: [{ role: 'user', content: 'a b c d e f g h' }],
    stream: true,
  });
  let received = '';
  for await (const chunk of broken) {
    received += chunk.choices[0]?.delta?.content ?? '';
  }
  result.cut_stream = { error: null, received };
} catch (error) {
  result.cut_stream = { error: error.message, kind: error.constructor.name };
}

try {
  const denied = new OpenAI({ apiKey: 'mcp_aaaaaaaaaaaaaaaa_not-a-real-key', baseURL: `${GATEWAY_URL}/v1`, maxRetries: 0 });
  await denied.models.list();
  result.bad_key = 'no error';
} catch (error) {
  result.bad_key = { kind: error.constructor.name, status: error.status };
}

process.stdout.write(JSON.stringify(result));
