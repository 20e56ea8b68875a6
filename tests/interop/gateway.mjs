// Drives the official TypeScript SDK (@anthropic-ai/sdk) against a running Pacer gateway (in front of the simulator)
// and prints what the SDK saw, as one JSON object keyed by scenario. The .NET test (NodeSdkTests in
// tests/Pacer.Gateway.Tests) starts both servers, queues the simulator's faults, runs this script and asserts on it.
// The SDK's own retries are off (maxRetries: 0): every retry must be the gateway's, and any 429 would surface.
// Usage: node gateway.mjs GATEWAY_BASE_URL
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.argv[2];
if (!baseURL) {
  console.error('usage: node gateway.mjs GATEWAY_BASE_URL');
  process.exit(2);
}

const model = 'claude-sonnet-4-5';
const params = (extra = {}) => ({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Explain pacing in one line.' }], ...extra });

// Both ways of presenting a key: the SDK's own (Authorization: Bearer) and an x-api-key header.
const styles = {
  bearer: (key) => new Anthropic({ apiKey: key, baseURL, maxRetries: 0, timeout: 20000, logLevel: 'off' }),
  'x-api-key': (key) => new Anthropic({ apiKey: null, authToken: null, defaultHeaders: { 'x-api-key': key }, baseURL, maxRetries: 0, timeout: 20000, logLevel: 'off' }),
};

function describeError(e) {
  return {
    errorClass: e?.constructor?.name ?? typeof e,
    status: e?.status ?? null,
    type: e?.type ?? e?.error?.error?.type ?? null,
    message: e?.error?.error?.message ?? e?.message ?? null,
  };
}

async function collect(stream) {
  const types = [];
  let outputTokens = null;
  let error = null;
  try {
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_delta') outputTokens = event.usage.output_tokens;
    }
  } catch (e) {
    error = describeError(e);
  }
  return { types, outputTokens, error };
}

function scenariosFor(style) {
  const client = () => styles[style](`sk-ant-node-${style}`);
  return {
    async create() {
      const { data, response } = await client().messages.create(params()).withResponse();
      return {
        id: data.id,
        outputTokens: data.usage.output_tokens,
        attempts: response.headers.get('x-pacer-attempts'),
        queueMs: response.headers.get('x-pacer-queue-ms'),
        rateLimitHeader: response.headers.get('anthropic-ratelimit-requests-limit'),
      };
    },
    async stream() {
      return collect(await client().messages.create(params({ stream: true })));
    },
    async streamHelper() {
      const message = await client().messages.stream(params()).finalMessage();
      return { stopReason: message.stop_reason, outputTokens: message.usage.output_tokens };
    },
    async countTokens() {
      const count = await client().messages.countTokens({ model, messages: [{ role: 'user', content: 'Count me, please.' }] });
      return { inputTokens: count.input_tokens };
    },
  };
}

const scenarios = {};
for (const style of Object.keys(styles)) {
  for (const [name, run] of Object.entries(scenariosFor(style))) {
    scenarios[`${style} ${name}`] = run;
  }
}

// The simulator answers ten attempts of this key's ten concurrent requests with 429 (queued by the .NET test).
scenarios.storm = async () => {
  const client = styles.bearer('sk-ant-node-storm');
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => client.messages.create(params()).withResponse()));
  return {
    fulfilled: results.filter((r) => r.status === 'fulfilled').length,
    errors: results.filter((r) => r.status === 'rejected').map((r) => describeError(r.reason)),
    attempts: results.filter((r) => r.status === 'fulfilled').map((r) => r.value.response.headers.get('x-pacer-attempts')),
  };
};

// A key the gateway refuses in managed mode is not run here; an unknown model is a final error that comes back unchanged.
scenarios.finalError = async () => {
  try {
    await styles.bearer('sk-ant-node-final').messages.create(params({ model: 'claude-nope' }));
    return { error: null };
  } catch (e) {
    return { error: describeError(e) };
  }
};

const seen = {};
for (const [name, run] of Object.entries(scenarios)) {
  try {
    seen[name] = await run();
  } catch (e) {
    seen[name] = { unexpected: describeError(e) };
  }
}

console.log(JSON.stringify(seen));
