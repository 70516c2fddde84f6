import Anthropic, { APIError, AuthenticationError, BadRequestError, PermissionDeniedError } from '@anthropic-ai/sdk';
import { CACHE_READ_RATIO, CACHE_WRITE_RATIO, ChannelType, countTextTokens } from '@oneapi/domain';
import { availableDbKinds, startFakeAnthropic, startFakeGemini, startFakeOpenAI, type DbKind, type FakeUpstream } from '@oneapi/testing';
import { eventually, startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

const CLAUDE = ['dual-msg', 'claude-msg', 'claude-tools', 'claude-msg-cacheread-40-cachewrite-8', 'claude-msg-prompt-321', 'claude-msg-reset-2'];
const GPT = ['gpt-msg-cached-4', 'gpt-msg', 'gpt-msg-tools', 'o3-msg', 'gpt-msg-reset-2'];
const GEMINI = ['gemini-msg'];
const MODEL_RATIO = Object.fromEntries([...CLAUDE.map((m) => [m, 1.5]), ...GPT.map((m) => [m, 2]), ...GEMINI.map((m) => [m, 1])]);
const COMPLETION_RATIO = Object.fromEntries([...CLAUDE.map((m) => [m, 5]), ...GPT.map((m) => [m, 3]), ...GEMINI.map((m) => [m, 4])]);
const cost = (prompt: number, completion: number, mr: number, cr: number, cache = { read: 0, write: 0 }) =>
  Math.max(1, Math.ceil((prompt - cache.read - cache.write + cache.read * CACHE_READ_RATIO + cache.write * CACHE_WRITE_RATIO + completion * cr) * mr - 1e-9));

const WEATHER: Anthropic.Tool = { name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
/** A 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

interface LogRow {
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
  content: string;
}

/** Reads a raw SSE body into its events (name and parsed data). */
function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(b)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('POST /v1/messages', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let openai: FakeUpstream;
      let anthropic: FakeUpstream;
      let gemini: FakeUpstream;
      let userId: number;
      let key: string;
      let chClaude: number;
      let chGpt: number;
      let client: Anthropic;
      let logs = 0;

      const balances = async () => {
        const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        return { user: Number(u.quota), token: Number(t.remain_quota) };
      };
      const lastLog = async (): Promise<LogRow> => {
        logs++;
        await h.flush();
        const rows = await eventually(async () => {
          const r = await h.sql<LogRow>('SELECT quota, prompt_tokens, completion_tokens, channel_id, is_stream, content FROM logs WHERE type = 2 ORDER BY id');
          return r.length >= logs ? r : null;
        });
        expect(rows).toHaveLength(logs);
        return rows[rows.length - 1];
      };
      /** The log row carries the upstream's usage, and token and user paid exactly its price. */
      const expectBilled = async (before: { user: number; token: number }, prompt: number, completion: number, mr: number, cr: number, cache?: { read: number; write: number }) => {
        const log = await lastLog();
        const quota = cost(prompt, completion, mr, cr, cache);
        expect({ prompt: Number(log.prompt_tokens), completion: Number(log.completion_tokens), quota: Number(log.quota) }).toEqual({ prompt, completion, quota });
        const after = await balances();
        expect({ user: before.user - after.user, token: before.token - after.token }).toEqual({ user: quota, token: quota });
        return log;
      };
      const unchanged = async (before: { user: number; token: number }) => {
        await h.flush();
        expect(await balances()).toEqual(before);
      };

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        openai = await startFakeOpenAI();
        anthropic = await startFakeAnthropic({ apiKey: 'sk-ant-upstream' });
        gemini = await startFakeGemini();
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify(MODEL_RATIO));
        await h.setOption('CompletionRatio', JSON.stringify(COMPLETION_RATIO));
        userId = await h.createUser({ quota: 50_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 20_000_000, name: 'messages' });
        chClaude = await h.createChannel({ type: ChannelType.Anthropic, name: 'claude', key: 'sk-ant-upstream', baseUrl: anthropic.url, models: CLAUDE });
        chGpt = await h.createChannel({ type: ChannelType.OpenAI, name: 'openai', baseUrl: openai.url, models: GPT });
        await h.createChannel({ type: ChannelType.Gemini, name: 'gemini', key: 'gemini-key', baseUrl: gemini.url, models: GEMINI });
        // dual-msg: an OpenAI channel first (higher priority), the Anthropic one after it.
        await h.createChannel({ type: ChannelType.OpenAI, name: 'openai first', baseUrl: openai.url, models: ['dual-msg'], priority: 10 });
        await h.setOption('RetryTimes', '1');
        await h.refresh();
        client = new Anthropic({ apiKey: key, baseURL: h.url, maxRetries: 0 });
      });
      afterAll(async () => {
        expect(await h?.drift()).toEqual(h ? [] : undefined);
        await h?.close();
        await openai?.close();
        await anthropic?.close();
        await gemini?.close();
      });

      describe('Anthropic channel (native pass-through)', () => {
        it('create: the body reaches Anthropic untouched (cache_control included) with the client’s version and beta headers; cache tokens billed at their ratios', async () => {
          if (!h) return;
          const before = await balances();
          const params: Anthropic.MessageCreateParamsNonStreaming = {
            model: 'claude-msg-cacheread-40-cachewrite-8',
            max_tokens: 300,
            system: [{ type: 'text', text: 'You are a long, cached preamble.', cache_control: { type: 'ephemeral' } }],
            messages: [{ role: 'user', content: [{ type: 'text', text: 'hello', cache_control: { type: 'ephemeral' } }] }],
            metadata: { user_id: 'u-1' },
            cache_control: { type: 'ephemeral' },
          };
          const msg = await client.messages.create(params, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } });
          expect(msg.content).toEqual([{ type: 'text', text: 'tok0 tok1 tok2 tok3 tok4 ' }]);
          expect(msg.usage).toMatchObject({ input_tokens: 10, cache_read_input_tokens: 40, cache_creation_input_tokens: 8, output_tokens: 5 });
          const sent = anthropic.requestsTo('/v1/messages').slice(-1)[0];
          expect(sent.rawBody.toString()).toBe(JSON.stringify(params));
          // The channel's key replaces the caller's; the SDK's own API version and the beta go along.
          expect(sent.headers).toMatchObject({ 'x-api-key': 'sk-ant-upstream', 'anthropic-version': expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), 'anthropic-beta': 'prompt-caching-2024-07-31' });
          const log = await expectBilled(before, 58, 5, 1.5, 5, { read: 40, write: 8 });
          expect(Number(log.channel_id)).toBe(chClaude);
        });

        it('stream: Anthropic’s events relayed as sent, the usage of message_start and message_delta billed', async () => {
          if (!h) return;
          const before = await balances();
          const stream = client.messages.stream({ model: 'claude-msg', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
          const deltas: string[] = [];
          stream.on('text', (t) => deltas.push(t));
          const final = await stream.finalMessage();
          expect(deltas.join('')).toBe('tok0 tok1 tok2 tok3 tok4 ');
          expect(final.stop_reason).toBe('end_turn');
          expect(final.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
          const log = await expectBilled(before, 10, 5, 1.5, 5);
          expect(Number(log.is_stream)).toBe(1);
        });

        it('tools: tool_use out, tool_result back in (Anthropic checks the pairing), in JSON and streamed', async () => {
          if (!h) return;
          let before = await balances();
          const first = await client.messages.create({ model: 'claude-tools', max_tokens: 200, tools: [WEATHER], messages: [{ role: 'user', content: 'weather in Paris?' }] });
          expect(first.stop_reason).toBe('tool_use');
          const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
          expect(uses.map((u) => [u.name, u.input])).toEqual([
            ['get_weather', { city: 'Paris' }],
            ['get_time', { tz: 'UTC' }],
          ]);
          await expectBilled(before, 10, 12, 1.5, 5);
          before = await balances();
          const stream = client.messages.stream({
            model: 'claude-msg',
            max_tokens: 200,
            tools: [WEATHER],
            messages: [
              { role: 'user', content: 'weather in Paris?' },
              { role: 'assistant', content: first.content },
              { role: 'user', content: uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: 'sunny' })) },
            ],
          });
          expect((await stream.finalText())).toBe('tok0 tok1 tok2 tok3 tok4 ');
          await expectBilled(before, 10, 5, 1.5, 5);
        });

        it('image and thinking: the image block passes, the thinking block comes back (JSON and stream)', async () => {
          if (!h) return;
          let before = await balances();
          const content: Anthropic.ContentBlockParam[] = [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'text', text: 'what is this?' },
          ];
          const msg = await client.messages.create({ model: 'claude-msg', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content }] });
          expect(msg.content.map((b) => b.type)).toEqual(['thinking', 'text']);
          expect((anthropic.requestsTo('/v1/messages').slice(-1)[0].body as { messages: { content: unknown }[] }).messages[0].content).toEqual(content);
          await expectBilled(before, 10, 5, 1.5, 5);
          before = await balances();
          const stream = client.messages.stream({ model: 'claude-msg', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content }] });
          const thinking: string[] = [];
          stream.on('thinking', (t) => thinking.push(t));
          const final = await stream.finalMessage();
          expect(thinking.join('')).toBe('Let me think this through.');
          expect(final.content[0]).toMatchObject({ type: 'thinking', signature: 'sig_fake' });
          await expectBilled(before, 10, 5, 1.5, 5);
        });

        it('the channel’s system_prompt replaces the body’s system (One API’s rule in Messages’ shape), flagged in the log', async () => {
          if (!h) return;
          await h.sql('UPDATE channels SET system_prompt = ? WHERE id = ?', ['Channel rules.', chClaude]);
          await h.refresh();
          try {
            const before = await balances();
            await client.messages.create({ model: 'claude-msg', max_tokens: 10, system: [{ type: 'text', text: 'Client rules.' }], messages: [{ role: 'user', content: 'hi' }] });
            expect(JSON.parse(anthropic.requestsTo('/v1/messages').slice(-1)[0].rawBody.toString())).toMatchObject({ model: 'claude-msg', system: 'Channel rules.', messages: [{ role: 'user', content: 'hi' }] });
            await expectBilled(before, 10, 5, 1.5, 5);
            const [row] = await h.sql<{ system_prompt_reset: number }>('SELECT system_prompt_reset FROM logs WHERE type = 2 ORDER BY id DESC LIMIT 1');
            expect(Number(row.system_prompt_reset)).toBe(1);
          } finally {
            await h.sql('UPDATE channels SET system_prompt = ? WHERE id = ?', ['', chClaude]);
            await h.refresh();
          }
        });

        it('request-id (what the SDK reads into _request_id) is the relay’s request id on JSON, stream and count_tokens replies, and CORS exposes it', async () => {
          if (!h) return;
          const { request_id: requestId, response } = await client.messages.create({ model: 'claude-msg', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).withResponse();
          expect(requestId).toBe(response.headers.get('x-request-id'));
          expect(requestId).toBeTruthy();
          expect(response.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('request-id');
          await lastLog();
          const streamed = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json', origin: 'https://app.example' },
            body: JSON.stringify({ model: 'claude-msg', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
          });
          await streamed.text();
          expect(streamed.headers.get('request-id')).toBe(streamed.headers.get('x-request-id'));
          expect(streamed.headers.get('request-id')).toBeTruthy();
          expect(streamed.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('request-id');
          await lastLog();
          const counted = await client.messages.countTokens({ model: 'claude-msg-prompt-321', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
          expect(counted.response.headers.get('request-id')).toBe(counted.response.headers.get('x-request-id'));
          expect(counted.response.headers.get('request-id')).toBeTruthy();
        });

        it('countTokens: Anthropic counts, free of charge (no log row, no quota)', async () => {
          if (!h) return;
          const before = await balances();
          const sent = anthropic.count('/v1/messages/count_tokens');
          const r = await client.messages.countTokens({ model: 'claude-msg-prompt-321', messages: [{ role: 'user', content: 'hi' }], tools: [WEATHER] });
          expect(r).toEqual({ input_tokens: 321 });
          expect(anthropic.count('/v1/messages/count_tokens')).toBe(sent + 1);
          await unchanged(before);
          expect(await h.sql('SELECT id FROM logs WHERE type = 2')).toHaveLength(logs);
        });

        it('an upstream cut mid-stream ends with Anthropic’s error event; billed on what was reported and delivered', async () => {
          if (!h) return;
          const before = await balances();
          const res = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'claude-msg-reset-2', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
          });
          const events = sseEvents(await res.text());
          expect(anthropic.requestsTo('/v1/messages').slice(-1)[0].headers['anthropic-version']).toBe('2023-06-01');
          const last = events[events.length - 1];
          expect(last.event).toBe('error');
          expect(last.data).toMatchObject({ type: 'error', error: { type: 'api_error' } });
          expect(String((last.data.error as { message: string }).message)).toContain('broke off');
          const delivered = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as { text: string }).text).join('');
          expect(delivered).toBe('tok0 tok1 ');
          // message_start reported 10 input tokens and 1 output; the delivered text counts more.
          const log = await expectBilled(before, 10, Math.max(1, countTextTokens('claude-msg-reset-2', delivered)), 1.5, 5);
          expect(log.content).toContain('upstream_reset');
        });
      });

      describe('OpenAI channel (through chat completions)', () => {
        it('create: system, stop sequences and sampling become the chat request; the reply is a Message', async () => {
          if (!h) return;
          const before = await balances();
          // Sampling parameters are gone from the SDK's types, but older clients still send them.
          const params = {
            model: 'gpt-msg',
            max_tokens: 64,
            system: 'Be brief.',
            stop_sequences: ['END'],
            temperature: 0.5,
            metadata: { user_id: 'u-7' },
            messages: [{ role: 'user', content: 'hello' }],
          };
          const msg = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming);
          expect(msg).toMatchObject({ type: 'message', role: 'assistant', model: 'gpt-msg', stop_reason: 'end_turn', content: [{ type: 'text', text: 'tok0 tok1 tok2 tok3 tok4 ' }] });
          expect(msg.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).toEqual({
            model: 'gpt-msg',
            messages: [
              { role: 'system', content: 'Be brief.' },
              { role: 'user', content: 'hello' },
            ],
            max_tokens: 64,
            temperature: 0.5,
            stop: ['END'],
            user: 'u-7',
          });
          const log = await expectBilled(before, 10, 5, 2, 3);
          expect(Number(log.channel_id)).toBe(chGpt);
        });

        it('cached prompt tokens the upstream reports (prompt_tokens_details.cached_tokens) come back as cache reads and are billed at the cache-read ratio, JSON and stream', async () => {
          if (!h) return;
          let before = await balances();
          const msg = await client.messages.create({ model: 'gpt-msg-cached-4', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
          expect(msg.usage).toMatchObject({ input_tokens: 6, cache_read_input_tokens: 4, output_tokens: 5 });
          await expectBilled(before, 10, 5, 2, 3, { read: 4, write: 0 });
          before = await balances();
          const final = await client.messages.stream({ model: 'gpt-msg-cached-4', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
          expect(final.content[0]).toMatchObject({ type: 'text' });
          await expectBilled(before, 10, 5, 2, 3, { read: 4, write: 0 });
        });

        it('context_management (Claude Code’s clear_tool_uses edits) is left out, named in x-oneapi-ignored-params, JSON and stream', async () => {
          if (!h) return;
          const body = {
            model: 'gpt-msg',
            max_tokens: 20,
            messages: [{ role: 'user', content: 'hi' }],
            context_management: { edits: [{ type: 'clear_tool_uses_20250919', trigger: { type: 'input_tokens', value: 30000 }, keep: { type: 'tool_uses', value: 3 } }] },
          };
          for (const stream of [false, true]) {
            const before = await balances();
            const res = await fetch(`${h.url}/v1/messages`, {
              method: 'POST',
              headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'anthropic-beta': 'context-management-2025-06-27', 'content-type': 'application/json' },
              body: JSON.stringify({ ...body, stream }),
            });
            expect(res.status).toBe(200);
            expect(res.headers.get('x-oneapi-ignored-params')).toBe('context_management');
            await res.text();
            const sent = openai.requestsTo('/v1/chat/completions').slice(-1)[0].body as Record<string, unknown>;
            expect(sent).not.toHaveProperty('context_management');
            expect(sent.messages).toEqual([{ role: 'user', content: 'hi' }]);
            await expectBilled(before, 10, 5, 2, 3);
          }
        });

        it('stream: exactly Anthropic’s event sequence, usage in message_delta', async () => {
          if (!h) return;
          const before = await balances();
          const res = await fetch(`${h.url}/v1/messages`, {
            method: 'POST',
            headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'gpt-msg', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
          });
          expect(res.headers.get('content-type')).toContain('text/event-stream');
          const events = sseEvents(await res.text());
          expect(events.map((e) => e.event)).toEqual([
            'message_start',
            'ping',
            'content_block_start',
            ...Array<string>(5).fill('content_block_delta'),
            'content_block_stop',
            'message_delta',
            'message_stop',
          ]);
          expect(events.every((e) => e.data.type === e.event)).toBe(true);
          expect(events[events.length - 2].data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 10, output_tokens: 5 } });
          // The relay asked the chat upstream for usage.
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
          await expectBilled(before, 10, 5, 2, 3);
          // And the SDK reads the same stream.
          const b2 = await balances();
          const final = await client.messages.stream({ model: 'gpt-msg', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
          expect(final.content.map((b) => (b.type === 'text' ? b.text : b.type))).toEqual(['tok0 tok1 tok2 tok3 tok4 ']);
          await expectBilled(b2, 10, 5, 2, 3);
        });

        it('tools: tools and tool_choice become functions; tool_calls come back as tool_use (JSON and streamed input_json_delta); tool_result goes back as tool messages', async () => {
          if (!h) return;
          let before = await balances();
          const first = await client.messages.create({
            model: 'gpt-msg-tools',
            max_tokens: 200,
            tools: [WEATHER],
            tool_choice: { type: 'any', disable_parallel_tool_use: true },
            messages: [{ role: 'user', content: 'weather?' }],
          });
          expect(first.stop_reason).toBe('tool_use');
          const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use');
          expect(uses.map((u) => u.name)).toEqual(['get_weather', 'get_time']);
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).toMatchObject({
            tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER.input_schema } }],
            tool_choice: 'required',
            parallel_tool_calls: false,
          });
          const firstLog = await lastLog();
          expect(Number(firstLog.prompt_tokens)).toBe(10);
          before = await balances();
          const stream = client.messages.stream({ model: 'gpt-msg-tools', max_tokens: 200, tools: [WEATHER], messages: [{ role: 'user', content: 'weather?' }] });
          const json: string[] = [];
          stream.on('inputJson', (partial) => json.push(partial));
          const final = await stream.finalMessage();
          expect(final.content.filter((b) => b.type === 'tool_use').map((b) => (b as Anthropic.ToolUseBlock).input)).toEqual(uses.map((u) => u.input));
          expect(json.length).toBeGreaterThan(0);
          expect(final.stop_reason).toBe('tool_use');
          const streamed = await lastLog();
          expect(Number(streamed.prompt_tokens)).toBe(10);
          before = await balances();
          await client.messages.create({
            model: 'gpt-msg',
            max_tokens: 200,
            tools: [WEATHER],
            messages: [
              { role: 'user', content: 'weather?' },
              { role: 'assistant', content: first.content },
              { role: 'user', content: [...uses.map((u) => ({ type: 'tool_result' as const, tool_use_id: u.id, content: 'sunny' })), { type: 'text' as const, text: 'thanks' }] },
            ],
          });
          const sent = openai.requestsTo('/chat/completions').slice(-1)[0].body as { messages: Record<string, unknown>[] };
          expect(sent.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'tool', 'user']);
          expect(sent.messages[1].tool_calls).toEqual(uses.map((u) => ({ id: u.id, type: 'function', function: { name: u.name, arguments: JSON.stringify(u.input) } })));
          expect(sent.messages.slice(2, 4)).toEqual(uses.map((u) => ({ role: 'tool', tool_call_id: u.id, content: 'sunny' })));
          await expectBilled(before, 10, 5, 2, 3);
        });

        it('images become image_url parts; thinking becomes reasoning_effort on reasoning models only', async () => {
          if (!h) return;
          const before = await balances();
          await client.messages.create({
            model: 'o3-msg',
            max_tokens: 20000,
            thinking: { type: 'enabled', budget_tokens: 8000 },
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
                  { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
                  { type: 'text', text: 'compare' },
                ],
              },
            ],
          });
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).toMatchObject({
            model: 'o3-msg',
            reasoning_effort: 'medium',
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
                  { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
                  { type: 'text', text: 'compare' },
                ],
              },
            ],
          });
          await expectBilled(before, 10, 5, 2, 3);
          const b2 = await balances();
          await client.messages.create({ model: 'gpt-msg', max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 2000 }, messages: [{ role: 'user', content: 'hi' }] });
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).not.toHaveProperty('reasoning_effort');
          await expectBilled(b2, 10, 5, 2, 3);
          const b3 = await balances();
          await client.messages.create({ model: 'o3-msg', max_tokens: 4000, output_config: { effort: 'max' }, messages: [{ role: 'user', content: 'hi' }] });
          expect(openai.requestsTo('/chat/completions').slice(-1)[0].body).toMatchObject({ reasoning_effort: 'high' });
          await expectBilled(b3, 10, 5, 2, 3);
        });

        it('what chat cannot express is a 400 naming the parameter, before any quota or upstream work', async () => {
          if (!h) return;
          const before = await balances();
          const sent = openai.count('/chat/completions');
          const topK = { model: 'gpt-msg', max_tokens: 10, top_k: 3, messages: [{ role: 'user', content: 'hi' }] };
          const err = await client.messages.create(topK as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(BadRequestError);
          expect((err as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
          expect((err as BadRequestError).message).toContain('top_k');
          const doc = await client.messages
            .create({ model: 'gpt-msg', max_tokens: 10, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } }] }] })
            .catch((e: unknown) => e);
          expect(doc).toBeInstanceOf(BadRequestError);
          expect((doc as BadRequestError).message).toContain('messages.0.content.0');
          expect(openai.count('/chat/completions')).toBe(sent);
          await unchanged(before);
        });

        it('what one channel type cannot express goes to the next channel, which may take it natively', async () => {
          if (!h) return;
          const before = await balances();
          const sent = openai.count('/chat/completions');
          const params = { model: 'dual-msg', max_tokens: 10, top_k: 3, messages: [{ role: 'user', content: 'hi' }] };
          const msg = await client.messages.create(params as Anthropic.MessageCreateParamsNonStreaming);
          expect(msg.content[0]).toMatchObject({ type: 'text' });
          expect(openai.count('/chat/completions')).toBe(sent);
          expect(anthropic.requestsTo('/v1/messages').slice(-1)[0].body).toMatchObject({ model: 'dual-msg', top_k: 3 });
          const log = await expectBilled(before, 10, 5, 1.5, 5);
          expect(Number(log.channel_id)).toBe(chClaude);
        });

        it('countTokens: counted locally with the relay’s tokenizer, free of charge', async () => {
          if (!h) return;
          const before = await balances();
          const sent = openai.requests.length;
          const small = await client.messages.countTokens({ model: 'gpt-msg', messages: [{ role: 'user', content: 'hi' }] });
          const large = await client.messages.countTokens({ model: 'gpt-msg', system: 'Be brief.', messages: [{ role: 'user', content: 'hi there, how is the weather in Paris today?' }], tools: [WEATHER] });
          expect(small.input_tokens).toBeGreaterThan(0);
          expect(large.input_tokens).toBeGreaterThan(small.input_tokens);
          expect(openai.requests.length).toBe(sent);
          await unchanged(before);
        });

        it('an upstream cut mid-stream ends with Anthropic’s error event; billed for what was delivered', async () => {
          if (!h) return;
          const before = await balances();
          const stream = client.messages.stream({ model: 'gpt-msg-reset-2', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
          const deltas: string[] = [];
          stream.on('text', (t) => deltas.push(t));
          const err = await stream.finalMessage().catch((e: unknown) => e);
          expect(err).toBeInstanceOf(APIError);
          expect(String((err as Error).message)).toContain('broke off');
          expect(deltas.join('')).toBe('tok0 tok1 ');
          const log = await lastLog();
          expect(log.content).toContain('upstream_reset');
          const completion = Number(log.completion_tokens);
          expect(completion).toBe(countTextTokens('gpt-msg-reset-2', 'tok0 tok1 '));
          const after = await balances();
          expect(before.user - after.user).toBe(Number(log.quota));
          expect(Number(log.quota)).toBe(cost(Number(log.prompt_tokens), completion, 2, 3));
        });
      });

      describe('Gemini channel (Messages → chat → Gemini and back)', () => {
        it('create and stream: the chat bridge composes with the Gemini adapter’s own conversion', async () => {
          if (!h) return;
          let before = await balances();
          const msg = await client.messages.create({ model: 'gemini-msg', max_tokens: 50, system: 'Be brief.', messages: [{ role: 'user', content: 'hello' }] });
          expect(msg).toMatchObject({ type: 'message', model: 'gemini-msg', stop_reason: 'end_turn' });
          const text = msg.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
          expect(text).not.toBe('');
          const sent = gemini.requests.slice(-1)[0].body as { systemInstruction?: unknown; contents: unknown[]; generationConfig?: { maxOutputTokens?: number } };
          expect(sent.systemInstruction).toEqual({ parts: [{ text: 'Be brief.' }] });
          expect(sent.generationConfig?.maxOutputTokens).toBe(50);
          await expectBilled(before, msg.usage.input_tokens, msg.usage.output_tokens, 1, 4);
          before = await balances();
          const stream = client.messages.stream({ model: 'gemini-msg', max_tokens: 50, messages: [{ role: 'user', content: 'hello' }] });
          const deltas: string[] = [];
          stream.on('text', (t) => deltas.push(t));
          const final = await stream.finalMessage();
          expect(deltas.join('')).toBe(text);
          expect(final.usage.output_tokens).toBe(msg.usage.output_tokens);
          await expectBilled(before, msg.usage.input_tokens, msg.usage.output_tokens, 1, 4);
        });
      });

      describe('errors in Anthropic’s shape', () => {
        it('a bad x-api-key is a 401 authentication_error', async () => {
          if (!h) return;
          const bad = new Anthropic({ apiKey: 'sk-not-a-key', baseURL: h.url, maxRetries: 0 });
          const err = await bad.messages.create({ model: 'claude-msg', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(AuthenticationError);
          expect((err as AuthenticationError).error).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
          const counted = await bad.messages.countTokens({ model: 'claude-msg', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
          expect(counted).toBeInstanceOf(AuthenticationError);
        });

        it('Authorization: Bearer works as well as x-api-key', async () => {
          if (!h) return;
          const bearer = new Anthropic({ authToken: key, apiKey: null, baseURL: h.url, maxRetries: 0 });
          const before = await balances();
          const msg = await bearer.messages.create({ model: 'claude-msg', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
          expect(msg.content[0]).toMatchObject({ type: 'text' });
          await expectBilled(before, 10, 5, 1.5, 5);
        });

        it('an invalid body is a 400 invalid_request_error naming the field, with no quota change', async () => {
          if (!h) return;
          const before = await balances();
          const err = await client.messages.create({ model: 'claude-msg', messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(BadRequestError);
          expect((err as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') } });
          const role = await client.messages.create({ model: 'claude-msg', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming).catch((e: unknown) => e);
          expect((role as BadRequestError).message).toContain('messages.0.role');
          await unchanged(before);
        });

        it('an upstream 400 keeps its status and Anthropic type', async () => {
          if (!h) return;
          const before = await balances();
          // Roles that do not alternate: the relay passes them, Anthropic refuses.
          const err = await client.messages
            .create({ model: 'claude-msg', max_tokens: 5, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] })
            .catch((e: unknown) => e);
          expect(err).toBeInstanceOf(BadRequestError);
          expect((err as BadRequestError).error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: expect.stringContaining('alternate') } });
          await unchanged(before);
        });

        it('an exhausted quota is refused in Anthropic’s shape before anything is sent', async () => {
          if (!h) return;
          const poorUser = await h.createUser({ quota: 10 });
          const poorKey = await h.createToken({ userId: poorUser, unlimitedQuota: true });
          await h.refresh();
          const poor = new Anthropic({ apiKey: poorKey, baseURL: h.url, maxRetries: 0 });
          const sent = anthropic.count('/v1/messages');
          const err = await poor.messages.create({ model: 'claude-msg', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
          expect(err).toBeInstanceOf(PermissionDeniedError);
          expect((err as PermissionDeniedError).error).toMatchObject({ type: 'error', error: { type: 'permission_error', message: expect.stringContaining('quota') } });
          expect(anthropic.count('/v1/messages')).toBe(sent);
          const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [poorUser]);
          expect(Number(u.quota)).toBe(10);
        });
      });
    });
  }
});
