/**
 * Issue #9, upstream errors and routing (SPEC 13 "Errors a client can act on", "Upstream text
 * never reaches a client raw"): a 400 never cools a channel, dead channel keys answer 502
 * upstream_auth_error, upstream internals are scrubbed, Retry-After survives, unknown models are
 * 404 model_not_found (no SDK retries), a known model with no enabled channel is 503 + Retry-After.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** OpenAI's real answer to a dead key: the masked key and a URL. */
const OPENAI_401_MESSAGE =
  'Incorrect API key provided: sk-abcd************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.';
const INTERNAL_500_MESSAGE = 'connect ECONNREFUSED 10.1.2.3:8080 http://internal.corp.example:9000/v1/x';

interface ErrorReply {
  status: number;
  headers: Headers;
  text: string;
  error: { message?: string; type?: string; code?: string | null };
}

async function postChat(h: RelayHarness, key: string, model: string): Promise<ErrorReply> {
  const res = await fetch(`${h.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let error: ErrorReply['error'] = {};
  try {
    error = (JSON.parse(text) as { error?: ErrorReply['error'] }).error ?? {};
  } catch {
    /* not JSON: the assertions on status/shape say so */
  }
  return { status: res.status, headers: res.headers, text, error };
}

/** A pass-through HTTP proxy in front of the relay that counts the requests it forwards. */
async function countingProxy(target: string): Promise<{ url: string; count: () => number; close: () => Promise<void> }> {
  const t = new URL(target);
  let n = 0;
  const server: Server = createServer((req, res) => {
    n++;
    const up = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => n,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('relay upstream errors and routing (issue #9)', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      /** Preferred channel (priority 10) and backup (priority 0) for `prio-model`. */
      let fakeA: FakeUpstream;
      let fakeB: FakeUpstream;
      /** Upstream for the error-text scenarios (messages set per test through setKnobs). */
      let errFake: FakeUpstream;
      let key: string;
      let otherKey: string;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fakeA = await startFakeOpenAI();
        fakeB = await startFakeOpenAI();
        errFake = await startFakeOpenAI();
        // A cooled channel stays cooled for a minute: long enough to see where traffic goes.
        h = await startRelayHarness(kind, { CHANNEL_COOLDOWN_SECONDS: '60' });
        await h.setOption('RetryTimes', '0');
        const user1 = await h.createUser({ quota: 100_000_000 });
        key = await h.createToken({ userId: user1 });
        const user2 = await h.createUser({ quota: 100_000_000 });
        otherKey = await h.createToken({ userId: user2 });
        await h.createChannel({ baseUrl: fakeA.url, models: ['prio-model'], priority: 10, name: 'preferred' });
        await h.createChannel({ baseUrl: fakeB.url, models: ['prio-model'], priority: 0, name: 'backup' });
        // One channel per failing model: a channel cooled (or disabled) by one scenario must not
        // change what the next one sees.
        for (const model of ['deadkey-status-401', 'deadkey2-status-401', 'leaky-status-500', 'busy-status-429-retryafter-7']) {
          await h.createChannel({ baseUrl: errFake.url, key: 'sk-abcdEFGHijklMNOPqrstwxyz', models: [model], name: model });
        }
        await h.createChannel({ baseUrl: errFake.url, models: ['retired-model'], status: 2, name: 'retired' });
        await h.refresh();
      });
      afterAll(async () => {
        await h?.close();
        await fakeA?.close();
        await fakeB?.close();
        await errFake?.close();
      });
      afterEach(() => {
        fakeA?.resetKnobs();
        errFake?.resetKnobs();
      });

      it('an upstream 400 reaches the caller as a 400 and leaves the preferred channel in use for everyone', async () => {
        if (!h) return;
        const message = "Invalid value for 'temperature': expected a number between 0 and 2.";
        fakeA.setKnobs({ status: 400, statusTimes: 1, errorMessage: message });
        const a0 = fakeA.count('/chat/completions');
        const b0 = fakeB.count('/chat/completions');
        const bad = await postChat(h, key, 'prio-model');
        expect(bad.status).toBe(400);
        expect(bad.error.message).toContain(message);
        expect(fakeA.count('/chat/completions')).toBe(a0 + 1);

        const client = new OpenAI({ apiKey: otherKey, baseURL: h.baseURL, maxRetries: 0 });
        for (let i = 0; i < 5; i++) {
          const r = await client.chat.completions.create({ model: 'prio-model', messages: [{ role: 'user', content: `q${i}` }] });
          expect(r.choices[0].message.content).toBeTruthy();
        }
        expect({ preferred: fakeA.count('/chat/completions') - a0 - 1, backup: fakeB.count('/chat/completions') - b0 }).toEqual({ preferred: 5, backup: 0 });
      });

      it('an upstream 401 about the channel key: 502 upstream_auth_error, no key fragment or upstream URL, SDK raises InternalServerError', async () => {
        if (!h) return;
        errFake.setKnobs({ errorMessage: OPENAI_401_MESSAGE });
        const r = await postChat(h, key, 'deadkey-status-401');
        expect({ status: r.status, code: r.error.code }).toEqual({ status: 502, code: 'upstream_auth_error' });
        expect(r.text).not.toContain('sk-');
        expect(r.text).not.toContain('wxyz');
        expect(r.text).not.toContain('platform.openai.com');

        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        const err = await client.chat.completions.create({ model: 'deadkey2-status-401', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect({
          authenticationError: err instanceof OpenAI.AuthenticationError,
          internalServerError: err instanceof OpenAI.InternalServerError,
          status: (err as InstanceType<typeof OpenAI.APIError>).status,
          code: (err as InstanceType<typeof OpenAI.APIError>).code,
        }).toEqual({ authenticationError: false, internalServerError: true, status: 502, code: 'upstream_auth_error' });
      });

      it('an upstream 500 naming internal hosts and URLs: the caller sees neither the IP, the URL nor the host', async () => {
        if (!h) return;
        errFake.setKnobs({ errorMessage: INTERNAL_500_MESSAGE });
        const r = await postChat(h, key, 'leaky-status-500');
        expect(r.status).toBeGreaterThanOrEqual(500);
        expect(typeof r.error.message).toBe('string');
        expect({
          ip: r.text.includes('10.1.2.3'),
          url: r.text.includes('http://internal.corp.example:9000/v1/x'),
          host: r.text.includes('internal.corp.example'),
        }).toEqual({ ip: false, url: false, host: false });
      });

      it('an upstream 429 with Retry-After: 7 (retries exhausted) reaches the caller as 429 with retry-after: 7', async () => {
        if (!h) return;
        const r = await postChat(h, key, 'busy-status-429-retryafter-7');
        expect(r.status).toBe(429);
        expect(r.headers.get('retry-after')).toBe('7');
      });

      it('an unknown model: 404 model_not_found, and the openai SDK (default retries) raises NotFoundError after one request', async () => {
        if (!h) return;
        const before = errFake.requests.length + fakeA.requests.length + fakeB.requests.length;
        const proxy = await countingProxy(h.url);
        try {
          const client = new OpenAI({ apiKey: key, baseURL: `${proxy.url}/v1` }); // default maxRetries (2)
          const err = await client.chat.completions.create({ model: 'no-such-model-anywhere', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
          expect({
            notFoundError: err instanceof OpenAI.NotFoundError,
            status: (err as InstanceType<typeof OpenAI.APIError>).status,
            code: (err as InstanceType<typeof OpenAI.APIError>).code,
            requestsSeenByRelay: proxy.count(),
          }).toEqual({ notFoundError: true, status: 404, code: 'model_not_found', requestsSeenByRelay: 1 });
        } finally {
          await proxy.close();
        }
        const raw = await postChat(h, key, 'no-such-model-anywhere');
        expect({ status: raw.status, type: raw.error.type, code: raw.error.code }).toEqual({ status: 404, type: 'invalid_request_error', code: 'model_not_found' });
        expect(errFake.requests.length + fakeA.requests.length + fakeB.requests.length).toBe(before);
      });

      it('a known model whose only channel is disabled: 503 with Retry-After', async () => {
        if (!h) return;
        const before = errFake.requests.length;
        const r = await postChat(h, key, 'retired-model');
        expect(r.status).toBe(503);
        expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(errFake.requests.length).toBe(before);
      });
    });
  }
});
