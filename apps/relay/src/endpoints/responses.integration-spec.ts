import OpenAI from 'openai';
import { generateText, streamText } from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, startFakeAnthropic, startFakeAzure, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const MODEL_RATIO = { 'gpt-4.1-az': 1, 'az-alias': 1, 'compat-resp-cached-4': 1, 'compat-resp': 1, 'compat-resp-tools': 1, 'gpt-resp-failed': 2, 'gpt-resp': 2, 'gpt-resp-reset-2': 2, 'gpt-resp-cached-4': 2, 'claude-resp': 1.5, 'claude-tools': 1.5 };
const COMPLETION_RATIO = { 'gpt-4.1-az': 1, 'az-alias': 1, 'compat-resp-cached-4': 2, 'compat-resp': 2, 'compat-resp-tools': 2, 'gpt-resp-failed': 3, 'gpt-resp': 3, 'gpt-resp-reset-2': 3, 'gpt-resp-cached-4': 3, 'claude-resp': 5, 'claude-tools': 5 };
const cost = (prompt: number, completion: number, mr: number, cr: number) => Math.max(1, Math.ceil((prompt + completion * cr) * mr));

interface LogRow {
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
  content: string;
  model_name: string;
}

const WEATHER_TOOL: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

describe('POST /v1/responses', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let fakeA: FakeUpstream;
      let fakeB: FakeUpstream;
      let anthropic: FakeUpstream;
      let azure: FakeUpstream;
      let chAzure: number;
      let userId: number;
      let key: string;
      let chA: number;
      let chB: number;
      let chClaude: number;
      let chCompat: number;
      let client: OpenAI;
      let logs = 0;

      const balances = async () => {
        const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        return { user: Number(u.quota), token: Number(t.remain_quota) };
      };
      /** The newest consume log once `count` requests were billed (the suite counts its own). */
      const lastLog = async (): Promise<LogRow> => {
        logs++;
        await h.flush();
        const rows = await eventually(async () => {
          const r = await h.sql<LogRow>('SELECT quota, prompt_tokens, completion_tokens, channel_id, is_stream, content, model_name FROM logs WHERE type = 2 ORDER BY id');
          return r.length >= logs ? r : null;
        });
        return rows[rows.length - 1];
      };
      /** The request's bill: the log row matches the upstream's usage and both balances moved by it. */
      const expectBilled = async (before: { user: number; token: number }, prompt: number, completion: number, mr: number, cr: number): Promise<LogRow> => {
        const log = await lastLog();
        const quota = cost(prompt, completion, mr, cr);
        expect({ prompt: Number(log.prompt_tokens), completion: Number(log.completion_tokens), quota: Number(log.quota) }).toEqual({ prompt, completion, quota });
        const after = await balances();
        expect({ user: before.user - after.user, token: before.token - after.token }).toEqual({ user: quota, token: quota });
        return log;
      };

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fakeA = await startFakeOpenAI();
        fakeB = await startFakeOpenAI();
        anthropic = await startFakeAnthropic();
        azure = await startFakeAzure();
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify(MODEL_RATIO));
        await h.setOption('CompletionRatio', JSON.stringify(COMPLETION_RATIO));
        userId = await h.createUser({ quota: 50_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 20_000_000, name: 'resp' });
        // Two OpenAI channels serve the same model: only affinity keeps a follow-up on the right one.
        chA = await h.createChannel({ type: ChannelType.OpenAI, name: 'openai A', baseUrl: fakeA.url, models: ['gpt-resp', 'gpt-resp-reset-2', 'gpt-resp-cached-4', 'gpt-resp-failed'] });
        chB = await h.createChannel({ type: ChannelType.OpenAI, name: 'openai B', baseUrl: fakeB.url, models: ['gpt-resp'] });
        chClaude = await h.createChannel({ type: ChannelType.Anthropic, name: 'claude', key: 'sk-ant', baseUrl: anthropic.url, models: ['claude-resp', 'claude-tools'] });
        // An OpenAI-compatible type without the Responses API: converted to chat on OpenAI's wire.
        chCompat = await h.createChannel({ type: ChannelType.Custom, name: 'compatible', baseUrl: fakeA.url, models: ['compat-resp', 'compat-resp-tools', 'compat-resp-cached-4'] });
        chAzure = await h.createChannel({ type: ChannelType.Azure, name: 'azure', key: 'az-key', baseUrl: azure.url, models: ['gpt-4.1-az', 'az-alias'], modelMapping: { 'az-alias': 'gpt-4.1-mini' } });
        await h.refresh();
        client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      });
      afterAll(async () => {
        expect(await h?.drift()).toEqual(h ? [] : undefined);
        await h?.close();
        await fakeA?.close();
        await fakeB?.close();
        await azure?.close();
        await anthropic?.close();
      });

      describe('OpenAI channels (pass-through)', () => {
        it('create: the body goes upstream untouched, billed from the usage', async () => {
          if (!h) return;
          const before = await balances();
          const sentBefore = fakeA.count('/responses') + fakeB.count('/responses');
          const r = await client.responses.create({ model: 'gpt-resp', input: 'hello', instructions: 'be brief' });
          expect(r.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(r.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
          const log = await expectBilled(before, 10, 5, 2, 3);
          expect([chA, chB]).toContain(Number(log.channel_id));
          expect(fakeA.count('/responses') + fakeB.count('/responses')).toBe(sentBefore + 1);
          const fake = Number(log.channel_id) === chA ? fakeA : fakeB;
          const sent = fake.requestsTo('/v1/responses').slice(-1)[0];
          expect(sent.rawBody.toString()).toBe(JSON.stringify({ model: 'gpt-resp', input: 'hello', instructions: 'be brief' }));
        });

        it('stream: typed events relayed as sent, usage of response.completed billed', async () => {
          if (!h) return;
          const before = await balances();
          const stream = await client.responses.create({ model: 'gpt-resp', input: 'hello', stream: true });
          const types: string[] = [];
          let text = '';
          for await (const e of stream) {
            types.push(e.type);
            if (e.type === 'response.output_text.delta') text += e.delta;
          }
          expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(types[0]).toBe('response.created');
          expect(types[types.length - 1]).toBe('response.completed');
          const log = await expectBilled(before, 10, 5, 2, 3);
          expect(Number(log.is_stream)).toBe(1);
        });

        it('cached input tokens are billed at the cache-read ratio (0.1×), JSON and stream', async () => {
          if (!h) return;
          // 10 input tokens of which 4 cached, 5 output: (6 + 4 × 0.1 + 5 × 3) × 2 = 42.8 → 43 (50 without the cache).
          for (const stream of [false, true]) {
            const before = await balances();
            if (stream) {
              for await (const e of await client.responses.create({ model: 'gpt-resp-cached-4', input: 'hello', stream: true })) expect(e.type).not.toBe('error');
            } else {
              const r = await client.responses.create({ model: 'gpt-resp-cached-4', input: 'hello' });
              expect(r.usage?.input_tokens_details).toEqual({ cached_tokens: 4 });
            }
            const log = await lastLog();
            expect({ prompt: Number(log.prompt_tokens), completion: Number(log.completion_tokens), quota: Number(log.quota) }).toEqual({ prompt: 10, completion: 5, quota: 43 });
            const after = await balances();
            expect({ user: before.user - after.user, token: before.token - after.token }).toEqual({ user: 43, token: 43 });
          }
        });

        it('the channel’s system_prompt replaces instructions (One API’s rule in Responses’ shape), flagged in the log', async () => {
          if (!h) return;
          await h.sql('UPDATE channels SET system_prompt = ? WHERE id = ?', ['Channel rules.', chA]);
          await h.refresh();
          try {
            await client.responses.create({ model: 'gpt-resp-cached-4', input: 'hello', instructions: 'Client rules.' });
            expect(JSON.parse(fakeA.requestsTo('/v1/responses').slice(-1)[0].rawBody.toString())).toEqual({ model: 'gpt-resp-cached-4', input: 'hello', instructions: 'Channel rules.' });
            await client.responses.create({ model: 'gpt-resp-cached-4', input: [{ role: 'user', content: 'hello' }] });
            expect(JSON.parse(fakeA.requestsTo('/v1/responses').slice(-1)[0].rawBody.toString())).toMatchObject({ instructions: 'Channel rules.' });
            await lastLog();
            await lastLog();
            const rows = await h.sql<{ system_prompt_reset: number }>('SELECT system_prompt_reset FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 2');
            expect(rows.map((r) => Number(r.system_prompt_reset))).toEqual([1, 1]);
          } finally {
            await h.sql('UPDATE channels SET system_prompt = ? WHERE id = ?', ['', chA]);
            await h.refresh();
          }
        });

        it('responses.stream helper: final response and its text', async () => {
          if (!h) return;
          const before = await balances();
          const stream = client.responses.stream({ model: 'gpt-resp', input: 'hello' });
          const deltas: string[] = [];
          stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
          const final = await stream.finalResponse();
          expect(final.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(deltas).toHaveLength(5);
          await expectBilled(before, 10, 5, 2, 3);
        });

        it('tools: a function call, then follow-ups by previous_response_id land on the creating channel', async () => {
          if (!h) return;
          const first = await client.responses.create({ model: 'gpt-resp', input: 'weather in Paris?', tools: [WEATHER_TOOL] });
          const call = first.output.find((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
          expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
          const home = Number((await lastLog()).channel_id);
          const homeFake = home === chA ? fakeA : fakeB;
          const otherFake = home === chA ? fakeB : fakeA;
          const otherBefore = otherFake.count('/responses');
          // With two channels picked at random, 6 follow-ups would reach the wrong one with p = 1 - 2^-6.
          for (let i = 0; i < 6; i++) {
            const before = await balances();
            const next = await client.responses.create({
              model: 'gpt-resp',
              previous_response_id: first.id,
              tools: [WEATHER_TOOL],
              input: [{ type: 'function_call_output', call_id: call?.call_id ?? '', output: 'sunny' }],
            });
            expect(next.output_text).toBe('result: sunny tok0 tok1 tok2 tok3 tok4 ');
            const log = await expectBilled(before, 10, 6, 2, 3);
            expect(Number(log.channel_id)).toBe(home);
          }
          expect(otherFake.count('/responses')).toBe(otherBefore);
          expect(homeFake.requestsTo('/v1/responses').slice(-1)[0].body).toMatchObject({ previous_response_id: first.id });
        });

        it('structured output: text.format json_schema', async () => {
          if (!h) return;
          const before = await balances();
          const r = await client.responses.create({
            model: 'gpt-resp',
            input: 'weather as JSON',
            text: { format: { type: 'json_schema', name: 'weather', strict: true, schema: { type: 'object', properties: { city: { type: 'string' }, celsius: { type: 'number' } }, required: ['city', 'celsius'], additionalProperties: false } } },
          });
          expect(JSON.parse(r.output_text)).toEqual({ city: 'tok', celsius: 1 });
          await expectBilled(before, 10, 1, 2, 3);
        });

        it('retrieve, input_items and delete go to the creating channel; unknown ids are 404 in OpenAI shape', async () => {
          if (!h) return;
          const created = await client.responses.create({ model: 'gpt-resp', input: 'keep me' });
          await lastLog();
          const got = await client.responses.retrieve(created.id);
          expect(got).toMatchObject({ id: created.id, status: 'completed' });
          const items = await client.responses.inputItems.list(created.id);
          expect(items.data).toHaveLength(1);
          // Only background responses can be cancelled: the upstream's 400 comes back as it is.
          await expect(client.responses.cancel(created.id)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('background') });
          const deleted = await client.responses.delete(created.id);
          expect(deleted).toMatchObject({ id: created.id, deleted: true });
          await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
          await expect(client.responses.retrieve('resp_unknown')).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
          // store: false keeps no state anywhere, so the relay records no home for it.
          const unstored = await client.responses.create({ model: 'gpt-resp', input: 'forget me', store: false });
          await lastLog();
          await expect(client.responses.retrieve(unstored.id)).rejects.toMatchObject({ status: 404, code: 'response_not_found' });
          // Another user never reaches someone else's response.
          const otherUser = await h.createUser();
          const other = new OpenAI({ apiKey: await h.createToken({ userId: otherUser }), baseURL: h.baseURL, maxRetries: 0 });
          const mine = await client.responses.create({ model: 'gpt-resp', input: 'mine' });
          await lastLog();
          await expect(other.responses.retrieve(mine.id)).rejects.toMatchObject({ status: 404 });
        });

        it('a follow-up whose channel is disabled is a 400 naming it, never re-routed', async () => {
          if (!h) return;
          const first = await client.responses.create({ model: 'gpt-resp', input: 'hi' });
          const home = Number((await lastLog()).channel_id);
          await h.sql('UPDATE channels SET status = 2 WHERE id = ?', [home]);
          await h.sql('UPDATE abilities SET enabled = 0 WHERE channel_id = ?', [home]);
          await h.refresh();
          const sent = fakeA.count('/responses') + fakeB.count('/responses');
          try {
            await expect(client.responses.create({ model: 'gpt-resp', input: 'again', previous_response_id: first.id })).rejects.toMatchObject({
              status: 400,
              param: 'previous_response_id',
              code: 'response_channel_disabled',
            });
            await expect(client.responses.retrieve(first.id)).rejects.toMatchObject({ status: 400 });
            expect(fakeA.count('/responses') + fakeB.count('/responses')).toBe(sent);
          } finally {
            await h.sql('UPDATE channels SET status = 1 WHERE id = ?', [home]);
            await h.sql('UPDATE abilities SET enabled = 1 WHERE channel_id = ?', [home]);
            await h.refresh();
          }
        });

        it('an upstream stream cut mid-way ends with an error event; billed from what was delivered', async () => {
          if (!h) return;
          const before = await balances();
          const stream = await client.responses.create({ model: 'gpt-resp-reset-2', input: 'hello', stream: true });
          const events: OpenAI.Responses.ResponseStreamEvent[] = [];
          for await (const e of stream) events.push(e);
          const last = events[events.length - 1];
          expect(last).toMatchObject({ type: 'error', code: 'upstream_reset' });
          expect(events.filter((e) => e.type === 'response.output_text.delta')).toHaveLength(2);
          expect(events.some((e) => e.type === 'response.completed')).toBe(false);
          const log = await lastLog();
          expect(log.content).toContain('stream ended: upstream_reset');
          const prompt = Number(log.prompt_tokens);
          const completion = Number(log.completion_tokens);
          // No usage came: the prompt counted at admission and the two delivered deltas ("tok0 tok1 ").
          expect(prompt).toBeGreaterThan(0);
          expect(completion).toBe(h.services.pricing.textTokens('tok0 tok1 ', 'gpt-resp-reset-2'));
          const after = await balances();
          expect(before.user - after.user).toBe(cost(prompt, completion, 2, 3));
          expect(Number(log.quota)).toBe(cost(prompt, completion, 2, 3));
        });

        it('response.failed: relayed with its error text sanitised (no host, no key), billed from its usage', async () => {
          if (!h) return;
          const before = await balances();
          const events: OpenAI.Responses.ResponseStreamEvent[] = [];
          for await (const e of await client.responses.create({ model: 'gpt-resp-failed', input: 'hello', stream: true })) events.push(e);
          expect(events.map((e) => e.type)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
          const failed = events[2];
          const message = failed.type === 'response.failed' ? String(failed.response.error?.message) : '';
          expect(message).toContain('The model failed');
          expect(message).not.toMatch(/internal\.fake\.example|sk-fake-upstream/);
          await expectBilled(before, 10, 0, 2, 3);
        });

        it('Vercel AI SDK: the default openai(model) provider (Responses API) generateText and streamText', async () => {
          if (!h) return;
          const openai = createOpenAI({ apiKey: key, baseURL: h.baseURL });
          let before = await balances();
          const r = await generateText({ model: openai('gpt-resp'), prompt: 'hello', maxRetries: 0 });
          expect(r.text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(r.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
          await expectBilled(before, 10, 5, 2, 3);
          before = await balances();
          const s = streamText({ model: openai('gpt-resp'), prompt: 'hello', maxRetries: 0 });
          let text = '';
          for await (const t of s.textStream) text += t;
          expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(await s.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
          await expectBilled(before, 10, 5, 2, 3);
        });
      });

      describe('Azure channel (pass-through on its v1 surface)', () => {
        it('the body’s model is the deployment: the mapped model with dots removed, as chat’s URL has it', async () => {
          if (!h) return;
          const before = await balances();
          const r = await client.responses.create({ model: 'gpt-4.1-az', input: 'hello' });
          expect(r.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(azure.requestsTo('/openai/v1/responses').slice(-1)[0].body).toEqual({ model: 'gpt-41-az', input: 'hello' });
          const log = await expectBilled(before, 10, 5, 1, 1);
          expect(Number(log.channel_id)).toBe(chAzure);
          for await (const e of await client.responses.create({ model: 'az-alias', input: 'hello', stream: true })) expect(e.type).not.toBe('error');
          expect(azure.requestsTo('/openai/v1/responses').slice(-1)[0].body).toEqual({ model: 'gpt-41-mini', input: 'hello', stream: true });
          await lastLog();
        });
      });

      describe('OpenAI-compatible channel (converted to chat on OpenAI wire)', () => {
        it('the Response echoes the client’s settings (tools, text format, sampling, reasoning, truncation), JSON and stream', async () => {
          if (!h) return;
          const params = {
            model: 'compat-resp',
            input: 'hello',
            tools: [WEATHER_TOOL],
            tool_choice: 'none' as const,
            text: { format: { type: 'json_schema' as const, name: 'out', schema: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false }, strict: true } },
            temperature: 0.3,
            top_p: 0.9,
            parallel_tool_calls: false,
            max_output_tokens: 50,
            reasoning: { effort: 'low' as const, summary: 'auto' as const },
            truncation: 'disabled' as const,
            metadata: { k: 'v' },
            prompt_cache_key: 'conv-1',
          };
          const echo = {
            tools: [WEATHER_TOOL],
            tool_choice: 'none',
            text: { format: params.text.format },
            temperature: 0.3,
            top_p: 0.9,
            parallel_tool_calls: false,
            max_output_tokens: 50,
            reasoning: { effort: 'low', summary: 'auto' },
            truncation: 'disabled',
            metadata: { k: 'v' },
            prompt_cache_key: 'conv-1',
          };
          const r = await client.responses.create(params);
          expect(r).toMatchObject(echo);
          // prompt_cache_key goes along: OpenAI's chat completions take it too.
          expect(fakeA.requestsTo('/v1/chat/completions').slice(-1)[0].body).toMatchObject({ prompt_cache_key: 'conv-1', temperature: 0.3 });
          await lastLog();
          let completed: unknown;
          for await (const e of await client.responses.create({ ...params, stream: true })) if (e.type === 'response.completed') completed = e.response;
          expect(completed).toMatchObject(echo);
          await lastLog();
        });

        it('include and truncation: no-op values accepted (encrypted reasoning named in x-oneapi-ignored-params), the rest a 400 naming them', async () => {
          if (!h) return;
          const { response } = await client.responses.create({ model: 'compat-resp', input: 'hello', store: false, include: ['reasoning.encrypted_content', 'web_search_call.action.sources'] }).withResponse();
          expect(response.headers.get('x-oneapi-ignored-params')).toBe('include[reasoning.encrypted_content]');
          await lastLog();
          const plain = await client.responses.create({ model: 'compat-resp', input: 'hello' }).withResponse();
          expect(plain.response.headers.get('x-oneapi-ignored-params')).toBeNull();
          await lastLog();
          const before = await balances();
          const auto = await client.responses.create({ model: 'compat-resp', input: 'hello', truncation: 'auto' }).catch((e: unknown) => e);
          expect(auto).toMatchObject({ status: 400, message: expect.stringContaining('truncation "auto"') });
          const other = await client.responses.create({ model: 'compat-resp', input: 'hello', include: ['message.output_text.logprobs'] }).catch((e: unknown) => e);
          expect(other).toMatchObject({ status: 400, message: expect.stringContaining('message.output_text.logprobs') });
          await h.flush();
          expect(await balances()).toEqual(before);
        });

        it('create and stream: chat completions upstream (usage asked for), a Response and its events back', async () => {
          if (!h) return;
          let before = await balances();
          const r = await client.responses.create({ model: 'compat-resp', input: 'hello', instructions: 'sys', max_output_tokens: 40 });
          expect(r.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          const log = await expectBilled(before, 10, 5, 1, 2);
          expect(Number(log.channel_id)).toBe(chCompat);
          expect(fakeA.requestsTo('/v1/chat/completions').slice(-1)[0].body).toEqual({
            model: 'compat-resp',
            messages: [
              { role: 'system', content: 'sys' },
              { role: 'user', content: 'hello' },
            ],
            max_tokens: 40,
          });
          before = await balances();
          const types: string[] = [];
          let usage: unknown;
          for await (const e of await client.responses.create({ model: 'compat-resp', input: 'hello', stream: true })) {
            types.push(e.type);
            if (e.type === 'response.completed') usage = e.response.usage;
          }
          expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(5);
          expect(types[types.length - 1]).toBe('response.completed');
          expect(usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
          expect(fakeA.requestsTo('/v1/chat/completions').slice(-1)[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
          await expectBilled(before, 10, 5, 1, 2);
        });

        it('cached prompt tokens (chat’s prompt_tokens_details.cached_tokens) are billed at the cache-read ratio, bridged JSON and stream, as plain chat bills them', async () => {
          if (!h) return;
          // 10 prompt tokens of which 4 cached, 5 output: (6 + 4 × 0.1 + 5 × 2) × 1 = 16.4 → 17 (20 without the cache).
          for (const mode of ['json', 'stream', 'chat', 'chat-stream'] as const) {
            const before = await balances();
            if (mode === 'json') {
              const r = await client.responses.create({ model: 'compat-resp-cached-4', input: 'hello' });
              expect(r.usage?.input_tokens_details).toEqual({ cached_tokens: 4 });
            } else if (mode === 'stream') {
              for await (const e of await client.responses.create({ model: 'compat-resp-cached-4', input: 'hello', stream: true })) expect(e.type).not.toBe('error');
            } else if (mode === 'chat') {
              const c = await client.chat.completions.create({ model: 'compat-resp-cached-4', messages: [{ role: 'user', content: 'hello' }] });
              expect(c.usage?.prompt_tokens_details).toEqual({ cached_tokens: 4 });
            } else {
              for await (const c of await client.chat.completions.create({ model: 'compat-resp-cached-4', messages: [{ role: 'user', content: 'hello' }], stream: true, stream_options: { include_usage: true } })) expect(c.object).toBe('chat.completion.chunk');
            }
            const log = await lastLog();
            expect({ mode, prompt: Number(log.prompt_tokens), completion: Number(log.completion_tokens), quota: Number(log.quota) }).toEqual({ mode, prompt: 10, completion: 5, quota: 17 });
            const after = await balances();
            expect({ user: before.user - after.user, token: before.token - after.token }).toEqual({ user: 17, token: 17 });
          }
        });

        it('tools: two streamed tool calls become two function_call items', async () => {
          if (!h) return;
          const before = await balances();
          const stream = client.responses.stream({ model: 'compat-resp-tools', input: 'weather?', tools: [WEATHER_TOOL] });
          const final = await stream.finalResponse();
          expect(final.output.map((o) => (o.type === 'function_call' ? [o.name, o.arguments] : o.type))).toEqual([
            ['get_weather', '{"city":"Paris"}'],
            ['get_time', '{"tz":"UTC"}'],
          ]);
          expect(fakeA.requestsTo('/v1/chat/completions').slice(-1)[0].body).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather', strict: true } }] });
          await expectBilled(before, 10, 5, 1, 2);
        });

        it('Vercel AI SDK generateText and streamText through the conversion', async () => {
          if (!h) return;
          const openai = createOpenAI({ apiKey: key, baseURL: h.baseURL });
          let before = await balances();
          expect((await generateText({ model: openai('compat-resp'), prompt: 'hello', maxRetries: 0 })).text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          await expectBilled(before, 10, 5, 1, 2);
          before = await balances();
          const s = streamText({ model: openai('compat-resp'), prompt: 'hello', maxRetries: 0 });
          let text = '';
          for await (const t of s.textStream) text += t;
          expect(text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(await s.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
          await expectBilled(before, 10, 5, 1, 2);
        });
      });

      describe('Anthropic channel (converted through chat)', () => {
        it('create: Messages upstream, a Response back, billed from the usage', async () => {
          if (!h) return;
          const before = await balances();
          const r = await client.responses.create({ model: 'claude-resp', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hello' }] }], instructions: 'be brief', max_output_tokens: 64 });
          expect(r).toMatchObject({ object: 'response', status: 'completed', model: 'claude-resp' });
          expect(r.output_text).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(r.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
          const log = await expectBilled(before, 10, 5, 1.5, 5);
          expect(Number(log.channel_id)).toBe(chClaude);
          expect(anthropic.requests.slice(-1)[0].body).toMatchObject({ model: 'claude-resp', system: 'be brief', max_tokens: 64, messages: [{ role: 'user' }] });
        });

        it('stream: Responses events in OpenAI order with sequence numbers, usage in response.completed', async () => {
          if (!h) return;
          const before = await balances();
          const stream = await client.responses.create({ model: 'claude-resp', input: 'hello', stream: true });
          const events: OpenAI.Responses.ResponseStreamEvent[] = [];
          for await (const e of stream) events.push(e);
          const types = events.map((e) => e.type);
          expect(types).toEqual([
            'response.created',
            'response.in_progress',
            'response.output_item.added',
            'response.content_part.added',
            ...Array(5).fill('response.output_text.delta'),
            'response.output_text.done',
            'response.content_part.done',
            'response.output_item.done',
            'response.completed',
          ]);
          expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
          const done = events[events.length - 1];
          expect(done.type === 'response.completed' && done.response.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
          expect(done.type === 'response.completed' && done.response.output).toMatchObject([{ type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'tok0 tok1 tok2 tok3 tok4 ' }] }]);
          await expectBilled(before, 10, 5, 1.5, 5);
        });

        it('tools: function calls out, their outputs back in (the whole conversation, statelessly)', async () => {
          if (!h) return;
          let before = await balances();
          const r = await client.responses.create({ model: 'claude-tools', input: 'weather?', tools: [WEATHER_TOOL] });
          const calls = r.output.filter((o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call');
          expect(calls.map((c) => [c.name, JSON.parse(c.arguments)])).toEqual([
            ['get_weather', { city: 'Paris' }],
            ['get_time', { tz: 'UTC' }],
          ]);
          expect(r.output_text).toBe('Let me check.');
          await expectBilled(before, 10, 12, 1.5, 5);
          expect(anthropic.requests.slice(-1)[0].body).toMatchObject({ tools: [{ name: 'get_weather', input_schema: WEATHER_TOOL.parameters }] });
          before = await balances();
          const input: OpenAI.Responses.ResponseInput = [
            { role: 'user', content: 'weather?' },
            ...r.output.map((o) => o as OpenAI.Responses.ResponseInputItem),
            ...calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: 'sunny' })),
          ];
          const stream = client.responses.stream({ model: 'claude-tools', input, tools: [WEATHER_TOOL] });
          const args: string[] = [];
          stream.on('response.function_call_arguments.delta', (e) => args.push(e.delta));
          const final = await stream.finalResponse();
          expect(final.output.filter((o) => o.type === 'function_call')).toHaveLength(2);
          expect(args.join('')).toBe('{"city": "Paris"}{"tz": "UTC"}');
          await expectBilled(before, 10, 12, 1.5, 5);
          // The tool results reached Anthropic as tool_result blocks after the assistant's tool_use.
          const sent = anthropic.requests.slice(-1)[0].body as { messages: { role: string; content: { type: string }[] }[] };
          expect(sent.messages.map((m) => [m.role, m.content.map((b) => b.type)])).toEqual([
            ['user', ['text']],
            ['assistant', ['text', 'tool_use', 'tool_use']],
            ['user', ['tool_result', 'tool_result']],
          ]);
        });

        it('structured output: text.format json_schema reaches Anthropic as its forced-tool recipe, a Response comes back', async () => {
          if (!h) return;
          const before = await balances();
          const schema = WEATHER_TOOL.parameters ?? {};
          const r = await client.responses.create({ model: 'claude-resp', input: 'weather as JSON', text: { format: { type: 'json_schema', name: 'weather', strict: true, schema } } });
          expect(r).toMatchObject({ status: 'completed', output: [{ type: 'message' }] });
          expect(anthropic.requests.slice(-1)[0].body).toMatchObject({ tools: [{ input_schema: schema }], tool_choice: { type: 'tool' } });
          await expectBilled(before, 10, 5, 1.5, 5);
        });

        it('what a stateless conversion cannot do is a 400 naming it, and nothing is billed', async () => {
          if (!h) return;
          const before = await balances();
          const sent = anthropic.requests.length;
          await expect(client.responses.create({ model: 'claude-resp', input: 'x', previous_response_id: 'resp_abc' })).rejects.toMatchObject({
            status: 400,
            param: 'previous_response_id',
            message: expect.stringContaining('keeps no state'),
          });
          await expect(client.responses.create({ model: 'claude-resp', input: 'x', tools: [{ type: 'web_search' }] })).rejects.toMatchObject({
            status: 400,
            param: 'tools[0].type',
            message: expect.stringContaining('web_search'),
          });
          await expect(client.responses.create({ model: 'claude-resp', input: 'x', background: true })).rejects.toMatchObject({ status: 400, param: 'background' });
          expect(anthropic.requests.length).toBe(sent);
          expect(await balances()).toEqual(before);
        });

        it('a converted response is not stored: retrieve is a 404; a follow-up is a 400 naming the missing state', async () => {
          if (!h) return;
          const r = await client.responses.create({ model: 'claude-resp', input: 'hi' });
          await lastLog();
          await expect(client.responses.retrieve(r.id)).rejects.toMatchObject({ status: 404 });
          await expect(client.responses.create({ model: 'claude-resp', input: 'x', previous_response_id: r.id })).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
        });
      });
    });
  }
});
