// Drives the official TypeScript SDK (@anthropic-ai/sdk) with a short client timeout against a running Pacer gateway
// whose upstream answers the first request and then never answers, and prints what the SDK saw as one JSON object.
// The SDK sends its timeout as X-Stainless-Timeout; the gateway should give up before it with a 504 timeout_error and
// x-should-retry: false, so that the SDK raises that error (without retrying it) instead of its own timeout.
// The .NET test (NodeSdkDeadlineTests in tests/Pacer.Gateway.Tests) starts both servers, runs this and asserts.
// Usage: node deadline.mjs GATEWAY_BASE_URL
import Anthropic from '@anthropic-ai/sdk';

const baseURL = process.argv[2];
if (!baseURL) {
  console.error('usage: node deadline.mjs GATEWAY_BASE_URL');
  process.exit(2);
}

const params = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'Take your time.' }] };

// The SDK's default retries (2) stay on: only x-should-retry: false keeps it from asking again.
const client = new Anthropic({ apiKey: 'sk-ant-node-deadline', baseURL, timeout: 8000, logLevel: 'off' });

const seen = {};
try {
  // A first, answered call, as a running application would have made: a cold process spends part of its budget
  // before its first request reaches the gateway.
  seen.warm = (await client.messages.create(params)).id;
  const started = Date.now();
  try {
    await client.messages.create(params);
    seen.error = null;
  } catch (e) {
    seen.error = {
      errorClass: e?.constructor?.name ?? typeof e,
      status: e?.status ?? null,
      type: e?.error?.error?.type ?? null,
      message: e?.error?.error?.message ?? e?.message ?? null,
      shouldRetry: e?.headers?.get?.('x-should-retry') ?? null,
    };
  }
  seen.elapsedMs = Date.now() - started;
} catch (e) {
  seen.unexpected = { errorClass: e?.constructor?.name ?? typeof e, message: e?.message ?? null };
}

console.log(JSON.stringify(seen));
