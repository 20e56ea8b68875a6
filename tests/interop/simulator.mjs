// Drives the official TypeScript SDK (@anthropic-ai/sdk) against a running Pacer simulator and prints what the SDK
// saw, as one JSON object keyed by scenario. The .NET test (SimulatorNodeSdkTests) runs this script and asserts on it.
// Usage: node simulator.mjs http://127.0.0.1:PORT
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.argv[2];
if (!baseURL) {
  console.error('usage: node simulator.mjs BASE_URL');
  process.exit(2);
}

const model = 'claude-sonnet-4-5';
const client = (options = {}) => new Anthropic({ apiKey: 'sk-ant-node-test', baseURL, maxRetries: 0, timeout: 15000, logLevel: 'off', ...options });
const params = (extra = {}) => ({ model, max_tokens: 200, messages: [{ role: 'user', content: 'Explain pacing in one line.' }], ...extra });

function describeError(e) {
  return {
    errorClass: e?.constructor?.name ?? typeof e,
    status: e?.status ?? null,
    type: e?.type ?? null,
    errorCode: e?.errorCode ?? null,
    requestId: e?.requestID ?? null,
    retryAfter: e?.headers?.get?.('retry-after') ?? null,
    rateLimitHeader: e?.headers?.get?.('anthropic-ratelimit-requests-limit') ?? null,
  };
}

async function collect(stream) {
  const types = [];
  let text = '';
  let outputTokens = null;
  let error = null;
  try {
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
  } catch (e) {
    error = describeError(e);
  }
  return { types, text, outputTokens, error };
}

const scenarios = {
  async create() {
    const { data, request_id } = await client().messages.create(params()).withResponse();
    return { id: data.id, model: data.model, text: data.content[0].text, inputTokens: data.usage.input_tokens, outputTokens: data.usage.output_tokens, stopReason: data.stop_reason, requestId: request_id };
  },
  async stream() {
    const nonStreaming = await client().messages.create(params({ messages: [{ role: 'user', content: 'Stream this' }] }));
    const streamed = await collect(await client().messages.create(params({ stream: true, messages: [{ role: 'user', content: 'Stream this' }] })));
    return { ...streamed, sameText: streamed.text === nonStreaming.content[0].text, sameTokens: streamed.outputTokens === nonStreaming.usage.output_tokens };
  },
  async streamHelper() {
    const message = await client().messages.stream(params({ messages: [{ role: 'user', content: 'Helper' }] })).finalMessage();
    return { stopReason: message.stop_reason, outputTokens: message.usage.output_tokens, textLength: message.content[0].text.length };
  },
  async countTokens() {
    const count = await client().messages.countTokens({ model, messages: [{ role: 'user', content: 'Count me, please.' }] });
    const message = await client().messages.create(params({ messages: [{ role: 'user', content: 'Count me, please.' }] }));
    return { inputTokens: count.input_tokens, usageInputTokens: message.usage.input_tokens };
  },
  async models() {
    const page = await client().models.list({ limit: 3 });
    return { ids: page.data.map((m) => m.id), hasMore: page.has_more, firstId: page.first_id, lastId: page.last_id };
  },
  async retryThroughScript() {
    const message = await client({ maxRetries: 2, defaultHeaders: { 'x-simulator-fault': '529,ok' } }).messages.create(params({ messages: [{ role: 'user', content: 'retry me' }] }));
    return { id: message.id };
  },
  async slow() {
    const started = Date.now();
    await client().messages.create(params({ model: `${model}+fault=slow:400` }));
    return { elapsedMs: Date.now() - started };
  },
  async noResponse() {
    const started = Date.now();
    try {
      await client({ timeout: 1000 }).messages.create(params({ model: `${model}+fault=no-response` }));
      return { error: null };
    } catch (e) {
      return { error: describeError(e), elapsedMs: Date.now() - started };
    }
  },
  async cut() {
    return collect(await client().messages.create(params({ model: `${model}+fault=cut:5`, stream: true })));
  },
  async stall() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 1000);
    try {
      const result = await collect(await client().messages.create(params({ model: `${model}+fault=stall:4`, stream: true }), { signal: controller.signal }));
      return { ...result, aborted: controller.signal.aborted };
    } finally {
      clearTimeout(timer);
    }
  },
  async malformed() {
    return collect(await client().messages.create(params({ model: `${model}+fault=malformed:3`, stream: true })));
  },
  async errorEvent() {
    return collect(await client().messages.create(params({ model: `${model}+fault=error-event:4`, stream: true })));
  },
};

for (const fault of ['429:2', '429:none', '500', '503', '504', '529', 'spend-limit', 'reset']) {
  scenarios[`fault ${fault}`] = async () => {
    try {
      await client().messages.create(params({ model: `${model}+fault=${fault}` }));
      return { error: null };
    } catch (e) {
      return { error: describeError(e) };
    }
  };
}

const results = {};
for (const [name, run] of Object.entries(scenarios)) {
  try {
    results[name] = await run();
  } catch (e) {
    results[name] = { unexpected: describeError(e), message: String(e?.message ?? e) };
  }
}

process.stdout.write(JSON.stringify(results) + '\n');
