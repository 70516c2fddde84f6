import { gzipSync } from 'node:zlib';
import OpenAI, { APIError, toFile } from 'openai';
import { availableDbKinds, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** Ratios the suite prices with (set as options, so the expected quota is exact). */
const MODEL_RATIO = { 'test-model': 2, 'test-model-nousage': 2, 'test-embed': 0.5, 'tts-test': 3, 'whisper-test': 1, 'image-test': 4, 'mapped-from': 1, 'mapped-to': 1 };
const COMPLETION_RATIO = { 'test-model': 3, 'test-model-nousage': 3 };
const GROUP_RATIO = { default: 1, vip: 0.5 };
const cost = (prompt: number, completion: number, mr: number, cr: number, gr: number) => Math.max(1, Math.ceil((prompt + completion * cr) * mr * gr));

interface LogRow {
  user_id: number;
  token_name: string;
  model_name: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
  request_id: string;
  content: string;
  elapsed_time: number;
}

describe('relay /v1', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fake: FakeUpstream;
      let fakeBad: FakeUpstream;
      let userId: number;
      let key: string;
      let channelId: number;
      let client: OpenAI;
      const balances = async (uid: number, k: string) => {
        const [u] = await h.sql<{ quota: number; used_quota: number; request_count: number }>('SELECT quota, used_quota, request_count FROM users WHERE id = ?', [uid]);
        const [t] = await h.sql<{ remain_quota: number; used_quota: number }>('SELECT remain_quota, used_quota FROM tokens WHERE `key` = ?', [k.slice(3)]);
        return { user: Number(u.quota), userUsed: Number(u.used_quota), requests: Number(u.request_count), token: Number(t.remain_quota), tokenUsed: Number(t.used_quota) };
      };
      const lastLog = async (requestCount: number): Promise<LogRow> => {
        await h.flush();
        const rows = await eventually(async () => {
          const r = await h.sql<LogRow>('SELECT * FROM logs ORDER BY id');
          return r.length >= requestCount ? r : null;
        });
        return rows[rows.length - 1];
      };
      let logs = 0;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fake = await startFakeOpenAI();
        fakeBad = await startFakeOpenAI({ knobs: { status: 500 } });
        h = await startRelayHarness(kind, { RELAY_MAX_BODY_MB: '2' });
        await h.setOption('ModelRatio', JSON.stringify(MODEL_RATIO));
        await h.setOption('CompletionRatio', JSON.stringify(COMPLETION_RATIO));
        await h.setOption('GroupRatio', JSON.stringify(GROUP_RATIO));
        userId = await h.createUser({ quota: 10_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 5_000_000, name: 'main' });
        channelId = await h.createChannel({
          baseUrl: fake.url,
          models: ['test-model', 'test-model-nousage', 'test-embed', 'tts-test', 'whisper-test', 'image-test', 'text-moderation-latest', 'text-davinci-edit-001', 'mapped-from'],
          modelMapping: { 'mapped-from': 'mapped-to' },
        });
        client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      });
      afterAll(async () => {
        await h?.close();
        await fake?.close();
        await fakeBad?.close();
      });

      describe('POST /v1/chat/completions', () => {
        it('relays a JSON completion and settles quota and the log exactly', async () => {
          if (!h) return;
          const before = await balances(userId, key);
          const r = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hello' }], max_tokens: 100 });
          expect(r.choices[0].message.content).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(r.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
          const log = await lastLog(++logs);
          const expected = cost(10, 5, 2, 3, 1);
          expect(log).toMatchObject({ user_id: userId, token_name: 'main', model_name: 'test-model', quota: expected, prompt_tokens: 10, completion_tokens: 5, channel_id: channelId });
          expect(Number(log.is_stream)).toBe(0);
          // Ratios exactly as configured, not rounded to two places.
          expect(log.content).toBe('model ratio 2, completion ratio 3, group ratio 1');
          const after = await balances(userId, key);
          expect(before.user - after.user).toBe(expected);
          expect(before.token - after.token).toBe(expected);
          expect(after.userUsed - before.userUsed).toBe(expected);
          expect(after.tokenUsed - before.tokenUsed).toBe(expected);
          expect(after.requests - before.requests).toBe(1);
          const [ch] = await h.sql<{ used_quota: number }>('SELECT used_quota FROM channels WHERE id = ?', [channelId]);
          expect(Number(ch.used_quota)).toBeGreaterThanOrEqual(expected);
          // The body reached the upstream byte for byte.
          const sent = fake.requests[fake.requests.length - 1];
          expect(sent.rawBody.toString()).toBe(JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hello' }], max_tokens: 100 }));
          expect(sent.headers.authorization).toBe('Bearer sk-upstream');
        });

        it('streams chunk by chunk with usage when the client asks for it', async () => {
          if (!h) return;
          const before = await balances(userId, key);
          const stream = await client.chat.completions.create({
            model: 'test-model',
            messages: [{ role: 'user', content: 'hello' }],
            stream: true,
            stream_options: { include_usage: true },
          });
          let text = '';
          let usage: OpenAI.CompletionUsage | null | undefined;
          for await (const chunk of stream) {
            text += chunk.choices[0]?.delta?.content ?? '';
            if (chunk.usage) usage = chunk.usage;
          }
          expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
          const log = await lastLog(++logs);
          expect(Number(log.is_stream)).toBe(1);
          expect(log.quota).toBe(cost(10, 5, 2, 3, 1));
          const after = await balances(userId, key);
          expect(before.token - after.token).toBe(cost(10, 5, 2, 3, 1));
        });

        it('asks upstream for usage but hides the usage-only chunk from clients that did not ask, ending with [DONE]', async () => {
          if (!h) return;
          const res = await fetch(`${h.baseURL}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], stream: true }),
          });
          expect(res.headers.get('content-type')).toContain('text/event-stream');
          const body = await res.text();
          expect(body.trim().endsWith('data: [DONE]')).toBe(true);
          expect(body).not.toContain('"choices":[]');
          const sent = fake.requests[fake.requests.length - 1].body as { stream_options?: { include_usage?: boolean } };
          expect(sent.stream_options?.include_usage).toBe(true);
          const log = await lastLog(++logs);
          expect(log).toMatchObject({ prompt_tokens: 10, completion_tokens: 5 });
        });

        it('counts tokens locally when the upstream reports no usage', async () => {
          if (!h) return;
          const r = await client.chat.completions.create({ model: 'test-model-nousage', messages: [{ role: 'user', content: 'hi' }] });
          expect(r.usage).toBeUndefined();
          const log = await lastLog(++logs);
          expect(log.completion_tokens).toBeGreaterThan(0);
          expect(log.prompt_tokens).toBeGreaterThan(0);
          expect(log.quota).toBe(cost(log.prompt_tokens, log.completion_tokens, 2, 3, 1));
        });

        it('applies the channel model mapping upstream and keeps the client model in the log', async () => {
          if (!h) return;
          await client.chat.completions.create({ model: 'mapped-from', messages: [{ role: 'user', content: 'hi' }] });
          const sent = fake.requests[fake.requests.length - 1];
          expect((sent.body as { model: string }).model).toBe('mapped-to');
          const log = await lastLog(++logs);
          expect(log.model_name).toBe('mapped-from');
        });
      });

      describe('other endpoints', () => {
        it('POST /v1/completions', async () => {
          if (!h) return;
          const r = await client.completions.create({ model: 'test-model', prompt: 'say' });
          expect(r.choices[0].text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect((await lastLog(++logs)).model_name).toBe('test-model');
        });

        it('POST /v1/embeddings and /v1/engines/:model/embeddings', async () => {
          if (!h) return;
          const r = await client.embeddings.create({ model: 'test-embed', input: ['a', 'b'], encoding_format: 'float' });
          expect(r.data).toHaveLength(2);
          const log = await lastLog(++logs);
          expect(log).toMatchObject({ model_name: 'test-embed', prompt_tokens: 10, completion_tokens: 0, quota: cost(10, 0, 0.5, 1, 1) });
          const res = await fetch(`${h.baseURL}/engines/test-embed/embeddings`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ input: 'a' }),
          });
          expect(res.status).toBe(200);
          expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1);
          expect((fake.requests[fake.requests.length - 1].body as { model: string }).model).toBe('test-embed');
          logs++;
        });

        it('POST /v1/moderations', async () => {
          if (!h) return;
          const r = await client.moderations.create({ input: 'FLAG me' });
          expect(r.results[0].flagged).toBe(true);
          logs++;
        });

        it('POST /v1/images/generations', async () => {
          if (!h) return;
          const r = await client.images.generate({ model: 'image-test', prompt: 'a cat', n: 2, size: '1024x1024' });
          expect(r.data).toHaveLength(2);
          const log = await lastLog(++logs);
          expect(log.model_name).toBe('image-test');
          expect(log.quota).toBeGreaterThan(0);
        });

        it('POST /v1/audio/speech streams the binary body through', async () => {
          if (!h) return;
          const r = await client.audio.speech.create({ model: 'tts-test', input: 'hello', voice: 'alloy' });
          const bytes = Buffer.from(await r.arrayBuffer());
          expect(bytes.subarray(0, 3).toString()).toBe('ID3');
          expect(bytes.length).toBe(3 + 5);
          const log = await lastLog(++logs);
          expect(log).toMatchObject({ model_name: 'tts-test', quota: Math.ceil(5 * 3) });
        });

        it('POST /v1/audio/transcriptions and /translations (multipart)', async () => {
          if (!h) return;
          const file = await toFile(Buffer.alloc(1234, 1), 'a.mp3');
          const t = await client.audio.transcriptions.create({ model: 'whisper-test', file });
          expect(t.text).toBe('fake transcription of 1234 bytes');
          const sent = fake.requests[fake.requests.length - 1];
          expect(sent.parts?.find((p) => p.filename)?.data.length).toBe(1234);
          const log = await lastLog(++logs);
          expect(log.model_name).toBe('whisper-test');
          expect(log.quota).toBeGreaterThan(0);
          const tr = await client.audio.translations.create({ model: 'whisper-test', file: await toFile(Buffer.alloc(10, 1), 'b.mp3') });
          expect(tr.text).toBe('fake translation of 10 bytes');
          logs++;
        });

        it('POST /v1/edits', async () => {
          if (!h) return;
          const res = await fetch(`${h.baseURL}/edits`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'text-davinci-edit-001', input: 'abc', instruction: 'fix' }),
          });
          expect(res.status).toBe(200);
          logs++;
        });

        it('accepts a gzip-compressed body', async () => {
          if (!h) return;
          const res = await fetch(`${h.baseURL}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
            body: gzipSync(JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'zip' }] })),
          });
          expect(res.status).toBe(200);
          logs++;
        });

        it('GET /v1/models lists exactly the token models; GET /v1/models/:model', async () => {
          if (!h) return;
          const all = await client.models.list();
          expect(all.data.map((m) => m.id)).toEqual(expect.arrayContaining(['test-model', 'test-embed']));
          const limitedKey = await h.createToken({ userId, models: 'test-model,other-model' });
          const limited = new OpenAI({ apiKey: limitedKey, baseURL: h.baseURL, maxRetries: 0 });
          expect((await limited.models.list()).data.map((m) => m.id).sort()).toEqual(['other-model', 'test-model']);
          expect((await limited.models.retrieve('test-model')).id).toBe('test-model');
          await expect(limited.models.retrieve('test-embed')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
        });

        it('GET /dashboard/billing/subscription and /usage (also under /v1)', async () => {
          if (!h) return;
          // Earlier tests' settlements may still be in their group; the balances must not move between the reads.
          await h.flush();
          for (const prefix of [h.url, h.baseURL]) {
            const sub = (await (await fetch(`${prefix}/dashboard/billing/subscription`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, number>;
            const t = await balances(userId, key);
            expect(sub.object).toBe('billing_subscription');
            expect(sub.hard_limit_usd).toBeCloseTo((t.token + t.tokenUsed) / 500000, 6);
            const usage = (await (await fetch(`${prefix}/dashboard/billing/usage`, { headers: { authorization: `Bearer ${key}` } })).json()) as Record<string, number>;
            expect(usage.total_usage).toBeCloseTo((t.tokenUsed / 500000) * 100, 6);
          }
        });

        it('answers CORS preflights, 501 for known unsupported paths and 404 otherwise, in OpenAI error shape', async () => {
          if (!h) return;
          const pre = await fetch(`${h.baseURL}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://x', 'access-control-request-method': 'POST' } });
          expect(pre.status).toBe(204);
          expect(pre.headers.get('access-control-allow-origin')).toBe('*');
          const files = await fetch(`${h.baseURL}/files`, { headers: { authorization: `Bearer ${key}` } });
          expect(files.status).toBe(501);
          expect(((await files.json()) as { error: { code: string } }).error.code).toBe('api_not_implemented');
          const unknown = await fetch(`${h.baseURL}/nope`, { headers: { authorization: `Bearer ${key}` } });
          expect(unknown.status).toBe(404);
          const body = (await unknown.json()) as { error: { message: string; type: string; code: string } };
          const rid = unknown.headers.get('x-oneapi-request-id');
          expect(rid).toBeTruthy();
          expect(body.error.message).toContain(rid);
        });
      });

      describe('authentication', () => {
        const call = (apiKey: string, model = 'test-model') =>
          new OpenAI({ apiKey, baseURL: h.baseURL, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] });

        it('raises the SDK error class matching each failure', async () => {
          if (!h) return;
          const upstreamBefore = fake.count('/chat/completions');
          const missing = await fetch(`${h.baseURL}/chat/completions`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
          expect(missing.status).toBe(401);
          expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
          await expect(call('sk-doesnotexist')).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
          await expect(call('sk-doesnotexist')).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
          const expired = await h.createToken({ userId, expiredTime: 1000 });
          await expect(call(expired)).rejects.toMatchObject({ status: 401, code: 'token_expired' });
          const exhausted = await h.createToken({ userId, status: 4 });
          await expect(call(exhausted)).rejects.toMatchObject({ status: 401, code: 'token_exhausted' });
          const disabled = await h.createToken({ userId, status: 2 });
          await expect(call(disabled)).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
          await expect(call(disabled)).rejects.toMatchObject({ code: 'token_disabled' });
          const bannedUser = await h.createUser({ status: 2 });
          await expect(call(await h.createToken({ userId: bannedUser }))).rejects.toMatchObject({ status: 403, code: 'user_disabled' });
          const limited = await h.createToken({ userId, models: 'test-embed' });
          await expect(call(limited)).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
          const subnet = await h.createToken({ userId, subnet: '10.0.0.0/8' });
          await expect(call(subnet)).rejects.toMatchObject({ status: 403, code: 'ip_not_allowed' });
          const local = await h.createToken({ userId, subnet: '127.0.0.0/8,::1/128' });
          await expect(call(local)).resolves.toBeDefined();
          logs++;
          await expect(call(`${key}-${channelId}`)).rejects.toMatchObject({ status: 403, code: 'channel_pin_forbidden' });
          expect(fake.count('/chat/completions')).toBe(upstreamBefore + 1);
        });

        it('lets an admin pin a channel with sk-<key>-<channelId>', async () => {
          if (!h) return;
          const admin = await h.createUser({ role: 10 });
          const adminKey = await h.createToken({ userId: admin });
          const other = await startFakeOpenAI();
          try {
            const pinned = await h.createChannel({ baseUrl: other.url, models: ['pinned-only'], groups: ['nobody'] });
            await h.refresh();
            await call(`${adminKey}-${pinned}`, 'test-model');
            expect(other.count('/chat/completions')).toBe(1);
            const log = await lastLog(++logs);
            expect(log.channel_id).toBe(pinned);
          } finally {
            await other.close();
          }
        });
      });

      describe('bad input', () => {
        it('answers 400/413 before any upstream call and without a quota change', async () => {
          if (!h) return;
          const before = await balances(userId, key);
          const upstreamBefore = fake.requests.length;
          const post = (body: string | Buffer, extra: Record<string, string> = {}) =>
            fetch(`${h.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...extra }, body });
          const cases: Array<[string | Buffer, number]> = [
            ['{not json', 400],
            ['[]', 400],
            [JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), 400],
            [JSON.stringify({ model: 'test-model' }), 400],
            [JSON.stringify({ model: 'test-model', messages: 'hi' }), 400],
            [JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], max_tokens: -1 }), 400],
            [JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], max_tokens: 1e12 }), 400],
            [JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], stream: 'yes' }), 400],
            [JSON.stringify({ model: 42, messages: [{ role: 'user', content: 'x' }] }), 400],
          ];
          for (const [body, status] of cases) {
            const res = await post(body);
            expect({ body: String(body).slice(0, 60), status: res.status }).toEqual({ body: String(body).slice(0, 60), status });
            const json = (await res.json()) as { error: { message: string; type: string } };
            expect(json.error.type).toBe('invalid_request_error');
          }
          const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x20));
          const big = await post(bomb, { 'content-encoding': 'gzip' });
          expect(big.status).toBe(413);
          await expect(
            client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'x' }], max_tokens: -5 }),
          ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
          expect(fake.requests.length).toBe(upstreamBefore);
          expect(await balances(userId, key)).toEqual(before);
        });
      });

      describe('routing and retries', () => {
        it('retries on the next channel after a 5xx and cools the failed one down', async () => {
          if (!h) return;
          await h.setOption('RetryTimes', '2');
          const bad = await h.createChannel({ baseUrl: fakeBad.url, models: ['retry-model'], priority: 10 });
          const good = await h.createChannel({ baseUrl: fake.url, models: ['retry-model'], priority: 0 });
          await h.refresh();
          const before = await balances(userId, key);
          const r = await client.chat.completions.create({ model: 'retry-model', messages: [{ role: 'user', content: 'x' }] });
          expect(r.choices[0].message.content).toBeTruthy();
          expect(fakeBad.count('/chat/completions')).toBe(1);
          const log = await lastLog(++logs);
          expect(log.channel_id).toBe(good);
          const after = await balances(userId, key);
          expect(before.token - after.token).toBe(log.quota);
          expect(bad).not.toBe(good);
        });

        it('turns an upstream 429 into the saturated 429 after the retries and refunds everything', async () => {
          if (!h) return;
          await h.setOption('RetryTimes', '1');
          await h.createChannel({ baseUrl: fake.url, models: ['busy-status-429'] });
          await h.createChannel({ baseUrl: fake.url, models: ['busy-status-429'] });
          await h.refresh();
          const before = await balances(userId, key);
          const error = await client.chat.completions.create({ model: 'busy-status-429', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(OpenAI.RateLimitError);
          expect((error as APIError).message).toContain('saturated');
          expect(fake.count('/chat/completions') >= 2).toBe(true);
          expect(await balances(userId, key)).toEqual(before);
        });

        it('answers 404 model_not_found naming the model when no channel of the group serves it', async () => {
          if (!h) return;
          const error = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(OpenAI.NotFoundError);
          expect((error as APIError).code).toBe('model_not_found');
          expect((error as APIError).message).toContain('no-such-model');
        });

        it('passes a 400 through without retrying', async () => {
          if (!h) return;
          await h.setOption('RetryTimes', '3');
          await h.createChannel({ baseUrl: fake.url, models: ['bad-status-400'] });
          await h.createChannel({ baseUrl: fake.url, models: ['bad-status-400'] });
          await h.refresh();
          const n = fake.count('/chat/completions');
          await expect(client.chat.completions.create({ model: 'bad-status-400', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
          expect(fake.count('/chat/completions')).toBe(n + 1);
        });

        it('auto-disables a channel on an upstream 401 when AutomaticDisableChannelEnabled is on', async () => {
          if (!h) return;
          await h.setOption('AutomaticDisableChannelEnabled', 'true');
          await h.setOption('RetryTimes', '0');
          const dead = await h.createChannel({ baseUrl: fake.url, models: ['dead-status-401'] });
          await h.refresh();
          const disabled: number[] = [];
          h.services.onChannelDisabled((e) => {
            disabled.push(e.channelId);
          });
          await expect(client.chat.completions.create({ model: 'dead-status-401', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 502, code: 'upstream_auth_error' });
          await eventually(async () => {
            const [row] = await h.sql<{ status: number }>('SELECT status FROM channels WHERE id = ?', [dead]);
            return Number(row.status) === 3;
          });
          await eventually(async () => disabled.length > 0);
          expect(disabled).toEqual([dead]);
          const [ability] = await h.sql<{ enabled: number }>('SELECT enabled FROM abilities WHERE channel_id = ?', [dead]);
          expect(Number(ability.enabled)).toBe(0);
          await expect(client.chat.completions.create({ model: 'dead-status-401', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 503 });
        });
      });

      describe('GET /metrics', () => {
        it('exposes requests, latency, TTFT and upstream errors by channel', async () => {
          if (!h) return;
          const text = await (await fetch(`${h.url}/metrics`)).text();
          expect(text).toContain('oneapi_relay_requests_total{endpoint="chat"');
          expect(text).toContain('oneapi_relay_request_duration_seconds_bucket');
          expect(text).toContain('oneapi_relay_time_to_first_token_seconds_bucket');
          expect(text).toMatch(/oneapi_relay_upstream_errors_total\{channel="\d+",status="500"/);
        });
      });
    });
  }
});
