/**
 * Issue #9, request input and response headers (SPEC 12 "Bad input gets a clear 4xx ... never a
 * quota change", SPEC 13 "Every relay response carries x-request-id"): odd or malformed chat
 * bodies are refused before any quota or upstream work; every response has `x-request-id`; CORS
 * preflights name `authorization` explicitly.
 */
import OpenAI from 'openai';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const MODEL = 'val-model';
const user = [{ role: 'user', content: 'hi' }];

/** Chat bodies that pass JSON parsing but are not valid requests: each must be a 400 invalid_request_error. */
const BAD_CHAT_BODIES: Array<[string, string]> = [
  ['messages[0].tool_calls is 5', JSON.stringify({ model: MODEL, messages: [{ role: 'assistant', tool_calls: 5 }] })],
  ['messages[0].tool_calls is [null]', JSON.stringify({ model: MODEL, messages: [{ role: 'assistant', tool_calls: [null] }] })],
  ['messages[0].tool_calls is {}', JSON.stringify({ model: MODEL, messages: [{ role: 'assistant', tool_calls: {} }] })],
  ['messages is [null]', JSON.stringify({ model: MODEL, messages: [null] })],
  ['messages is [{}]', JSON.stringify({ model: MODEL, messages: [{}] })],
  ['image_url.url is 5', JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 5 } }] }] })],
  // Which model is billed, which one the upstream sees? Ambiguous: refused.
  ['the top-level "model" key twice', `{"model":"val-cheap","messages":${JSON.stringify(user)},"model":"${MODEL}"}`],
  ['a 100,000-deep nested metadata field', `{"model":"${MODEL}","messages":${JSON.stringify(user)},"metadata":${'['.repeat(100_000)}${']'.repeat(100_000)}}`],
];

describe('relay request input and response headers (issue #9)', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      let userId: number;
      let key: string;
      const balances = async () => {
        await h.flush();
        const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        return { user: Number(u.quota), token: Number(t.remain_quota) };
      };
      const post = (body: string, contentType = 'application/json') =>
        fetch(`${h.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
          body,
          signal: AbortSignal.timeout(15_000),
        });

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify({ [MODEL]: 1, 'val-cheap': 0.1 }));
        userId = await h.createUser({ quota: 10_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 5_000_000 });
        await h.createChannel({ baseUrl: fake.url, models: [MODEL, 'val-cheap'] });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
      });

      it.each(BAD_CHAT_BODIES)('a chat body where %s: 400 invalid_request_error, nothing sent upstream, no quota change', async (_label, body) => {
        if (!h) return;
        const before = await balances();
        const sent = fake.requests.length;
        const res = await post(body);
        const text = await res.text();
        let error: { type?: string } = {};
        try {
          error = (JSON.parse(text) as { error: { type?: string } }).error;
        } catch {
          /* shown below */
        }
        expect({ status: res.status, type: error?.type }).toEqual({ status: 400, type: 'invalid_request_error' });
        expect(fake.requests.length - sent).toBe(0);
        expect(await balances()).toEqual(before);
      });

      it('a valid JSON chat body sent as text/plain: 415, nothing sent upstream, no quota change', async () => {
        if (!h) return;
        const before = await balances();
        const sent = fake.requests.length;
        const res = await post(JSON.stringify({ model: MODEL, messages: user }), 'text/plain');
        await res.text();
        expect(res.status).toBe(415);
        expect(fake.requests.length - sent).toBe(0);
        expect(await balances()).toEqual(before);
      });

      it('x-request-id on every response (JSON, stream, error, unknown route) and in the SDK as request_id', async () => {
        if (!h) return;
        const client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
        const json = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
        const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse();
        for await (const _ of stream.data) void _;
        const error = await fetch(`${h.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-wrong', 'content-type': 'application/json' }, body: '{}' });
        const noRoute = await fetch(`${h.baseURL}/no-such-endpoint`, { headers: { authorization: `Bearer ${key}` } });
        expect({
          json: json.request_id,
          stream: stream.request_id,
          errorStatus: error.status,
          error: error.headers.get('x-request-id'),
          noRouteStatus: noRoute.status,
          noRoute: noRoute.headers.get('x-request-id'),
        }).toEqual({
          json: expect.stringMatching(/\S/),
          stream: expect.stringMatching(/\S/),
          errorStatus: 401,
          error: expect.stringMatching(/\S/),
          noRouteStatus: 404,
          noRoute: expect.stringMatching(/\S/),
        });
        expect(json.request_id).not.toBe(stream.request_id);
      });

      it('CORS: the preflight lists authorization explicitly, and x-request-id is exposed to browsers', async () => {
        if (!h) return;
        const pre = await fetch(`${h.baseURL}/chat/completions`, {
          method: 'OPTIONS',
          headers: { origin: 'https://chat.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
        });
        expect(pre.status).toBeLessThan(300);
        const list = (name: string, res: Response) =>
          (res.headers.get(name) ?? '')
            .split(',')
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean);
        expect(list('access-control-allow-headers', pre)).toEqual(expect.arrayContaining(['authorization', 'content-type']));
        expect(list('access-control-expose-headers', pre)).toContain('x-request-id');
        // Browsers read Expose-Headers on the actual response.
        const res = await fetch(`${h.baseURL}/chat/completions`, {
          method: 'POST',
          headers: { origin: 'https://chat.example.com', authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, messages: user }),
        });
        await res.text();
        expect(res.status).toBe(200);
        expect(list('access-control-expose-headers', res)).toContain('x-request-id');
      });
    });
  }
});
