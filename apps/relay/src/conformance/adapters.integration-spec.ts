import OpenAI, { APIError } from 'openai';
import { AZURE_DEFAULT_API_VERSION, getChannelType } from '@oneapi/domain';
import { getAdapter } from '@oneapi/providers';
import { availableDbKinds, present, startFakeAnthropic, startFakeAzure, startFakeGemini, startFakeOpenAI, type DbKind, type FakeUpstream, type FakeUpstreamRequest } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';
import {
  AZURE_API_VERSION,
  CONFORMANCE_TYPES,
  EXPECTED_CALLS,
  FAKE_PIECES,
  FAKE_USAGE,
  PNG_BASE64,
  PNG_DATA_URL,
  REMOTE_IMAGE_URL,
  TOOLS,
  UPSTREAM_KEY,
  WRONG_UPSTREAM_KEY,
  declaredEndpoints,
  header,
  modelsOf,
  postSse,
  since,
  undeclaredProbe,
  type ConformanceType,
  type FakeKind,
} from '../testing/conformance-cases';

/**
 * The adapter conformance suite (issue 5): the same relay scenarios — chat, stream, embeddings,
 * error mapping, tools, images — through every seed channel type, each channel pointed at the
 * fake of its provider, driven by the official `openai` SDK. Every type runs on SQLite; a few
 * run on MariaDB as well (routing and conversion do not depend on the database, billing rows do).
 */

const SEED_TYPE_IDS = [1, 2, 4, 5, 6, 7, 8, 10, 20, 28, 29, 30, 36, 45, 50, 3, 14, 24];
const MARIADB_SUBSET = [1, 3, 14, 24];

const CHAT_RATIO = 2;
const CHAT_COMPLETION_RATIO = 3;
const EMBED_RATIO = 0.5;
const cost = (prompt: number, completion: number, modelRatio: number, completionRatio: number) => Math.max(1, Math.ceil((prompt + completion * completionRatio) * modelRatio));

interface LogRow {
  model_name: string;
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
}

type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const LEGACY_AZURE_MODEL = 'c3-legacy-3.5';

const HELLO: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'hello' },
];

describe('adapter conformance: every seed channel type through the relay', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  it('covers every seed type of issue 5, each implemented by the registry', () => {
    expect(CONFORMANCE_TYPES.map((t) => t.id).sort((a, b) => a - b)).toEqual([...SEED_TYPE_IDS].sort((a, b) => a - b));
    for (const id of SEED_TYPE_IDS) {
      expect({ id, implemented: getChannelType(id)?.implemented }).toEqual({ id, implemented: true });
      expect({ id, chat: getAdapter(id).endpoints.has('chat') }).toEqual({ id, chat: true });
    }
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    const full = kind === 'sqlite';
    const types = full ? CONFORMANCE_TYPES : CONFORMANCE_TYPES.filter((t) => MARIADB_SUBSET.includes(t.id));

    describe(kind, () => {
      let h: RelayHarness | undefined;
      let client: OpenAI;
      let userKey: string;
      const fakes = {} as Record<FakeKind, FakeUpstream>;
      /** type id → channel ids. */
      const channels = new Map<number, { main: number; revoked: number; busy: number[] }>();
      let legacyAzure = 0;

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        fakes.openai = await startFakeOpenAI({ apiKey: UPSTREAM_KEY });
        fakes.azure = await startFakeAzure({ apiKey: UPSTREAM_KEY });
        fakes.anthropic = await startFakeAnthropic({ apiKey: UPSTREAM_KEY });
        fakes.gemini = await startFakeGemini({ apiKey: UPSTREAM_KEY });
        h = await startRelayHarness(kind);
        const modelRatio: Record<string, number> = {};
        const completionRatio: Record<string, number> = {};
        for (const t of types) {
          const m = modelsOf(t);
          for (const model of [m.chat, m.tools, m.busy, m.broken, m.revoked, m.alias]) modelRatio[model] = CHAT_RATIO;
          modelRatio[m.embed] = EMBED_RATIO;
          completionRatio[m.chat] = CHAT_COMPLETION_RATIO;
          completionRatio[m.tools] = CHAT_COMPLETION_RATIO;
          const baseUrl = t.baseUrl(fakes[t.fake].url);
          const main = await h.createChannel({
            type: t.id,
            key: UPSTREAM_KEY,
            name: `c${t.id} main`,
            baseUrl,
            models: [m.chat, m.tools, m.embed, m.broken, m.alias],
            modelMapping: { [m.alias]: m.mapped },
          });
          const revoked = await h.createChannel({ type: t.id, key: WRONG_UPSTREAM_KEY, name: `c${t.id} revoked`, baseUrl, models: [m.revoked] });
          const busy = [
            await h.createChannel({ type: t.id, key: UPSTREAM_KEY, name: `c${t.id} busy a`, baseUrl, models: [m.busy] }),
            await h.createChannel({ type: t.id, key: UPSTREAM_KEY, name: `c${t.id} busy b`, baseUrl, models: [m.busy] }),
          ];
          channels.set(t.id, { main, revoked, busy });
        }
        // Azure's api-version is a channel setting (config JSON); the harness seeds '{}'.
        await h.sql('UPDATE channels SET config = ? WHERE type = 3', [JSON.stringify({ api_version: AZURE_API_VERSION })]);
        if (full) {
          // An Azure channel left on the default api-version (2024-03-01-preview), which predates stream_options.
          legacyAzure = await h.createChannel({ type: 3, key: UPSTREAM_KEY, name: 'azure default api-version', baseUrl: fakes.azure.url, models: [LEGACY_AZURE_MODEL] });
          modelRatio[LEGACY_AZURE_MODEL] = CHAT_RATIO;
          completionRatio[LEGACY_AZURE_MODEL] = CHAT_COMPLETION_RATIO;
        }
        await h.setOption('ModelRatio', JSON.stringify(modelRatio));
        await h.setOption('CompletionRatio', JSON.stringify(completionRatio));
        await h.setOption('GroupRatio', JSON.stringify({ default: 1 }));
        // One retry: the 429 scenario must reach both busy channels before the relay gives up.
        await h.setOption('RetryTimes', '1');
        await h.setOption('AutomaticDisableChannelEnabled', 'false');
        const userId = await h.createUser({ quota: 1_000_000_000 });
        userKey = await h.createToken({ userId, unlimitedQuota: true, name: 'conformance' });
        await h.refresh();
        client = new OpenAI({ apiKey: userKey, baseURL: h.baseURL, maxRetries: 0 });
      });

      afterAll(async () => {
        await h?.close();
        for (const f of Object.values(fakes)) await f.close();
      });

      const logOf = async (requestId: string | null): Promise<LogRow> => {
        expect(requestId).toBeTruthy();
        const harness = present(h, 'relay harness');
        await harness.flush();
        const rows = await harness.sql<LogRow>('SELECT model_name, quota, prompt_tokens, completion_tokens, channel_id, is_stream FROM logs WHERE request_id = ?', [requestId]);
        expect(rows).toHaveLength(1);
        const r = rows[0];
        return { ...r, quota: Number(r.quota), prompt_tokens: Number(r.prompt_tokens), completion_tokens: Number(r.completion_tokens), channel_id: Number(r.channel_id), is_stream: Number(r.is_stream) };
      };

      /** Runs `call` and returns its result with the requests the type's fake received meanwhile. */
      const watch = async <T>(t: ConformanceType, call: () => Promise<T>): Promise<{ result: T; sent: FakeUpstreamRequest[] }> => {
        const fake = fakes[t.fake];
        const from = fake.requests.length;
        const result = await call();
        return { result, sent: since(fake.requests, from) };
      };

      /** Path, query, auth and provider headers of one upstream model call. */
      const expectUpstreamRequest = (t: ConformanceType, r: FakeUpstreamRequest, path: string, stream: boolean, key = UPSTREAM_KEY) => {
        expect(r.method).toBe('POST');
        expect(r.path).toBe(path);
        expect(r.query).toEqual(t.query(stream));
        const [name, value] = t.auth(key);
        expect(header(r.headers, name)).toBe(value);
        // Only the provider's own auth scheme reaches the upstream: never the client's key, never a second scheme.
        for (const other of ['authorization', 'api-key', 'x-api-key', 'x-goog-api-key']) if (other !== name) expect(header(r.headers, other)).toBeUndefined();
        for (const [h2, v] of Object.entries(t.extraHeaders)) expect(header(r.headers, h2)).toBe(v);
      };

      /** Reads an SDK stream to the end. */
      const drain = async (stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> => {
        const out: ChatChunk[] = [];
        for await (const c of stream) out.push(c);
        return out;
      };

      const contentDeltas = (chunks: ChatChunk[]) => chunks.flatMap((c) => (c.choices[0]?.delta?.content ? [c.choices[0].delta.content] : []));

      /** Tool calls assembled from streamed deltas by their `index`, checking that ids and names only open a call. */
      const assembleToolCalls = (chunks: ChatChunk[]) => {
        const calls = new Map<number, { id?: string; name?: string; args: string; deltas: number }>();
        for (const c of chunks) {
          for (const tc of c.choices[0]?.delta?.tool_calls ?? []) {
            expect(typeof tc.index).toBe('number');
            const call = calls.get(tc.index) ?? { args: '', deltas: 0 };
            if (tc.id) {
              expect(call.id).toBeUndefined();
              call.id = tc.id;
            }
            if (tc.function?.name) {
              expect(call.name).toBeUndefined();
              call.name = tc.function.name;
            }
            call.args += tc.function?.arguments ?? '';
            call.deltas++;
            calls.set(tc.index, call);
          }
        }
        return [...calls.entries()].sort(([a], [b]) => a - b);
      };

      for (const t of types) {
        const m = modelsOf(t);
        const declared = declaredEndpoints(t);

        describe(`type ${t.id} ${t.name} (${t.fake} wire)`, () => {
          it('POST /v1/chat/completions: content, usage billed exactly, the upstream request as the provider expects it', async () => {
            if (!h) return;
            const { result, sent } = await watch(t, () => client.chat.completions.create({ model: m.chat, messages: HELLO, max_tokens: 50 }).withResponse());
            const r = result.data;
            expect(r.object).toBe('chat.completion');
            expect(r.model).toBe(m.chat);
            expect(r.choices).toHaveLength(1);
            expect(r.choices[0].message.role).toBe('assistant');
            expect(r.choices[0].message.content).toBe(FAKE_PIECES.join(''));
            expect(r.choices[0].finish_reason).toBe('stop');
            expect(r.usage).toMatchObject({ ...FAKE_USAGE, total_tokens: FAKE_USAGE.prompt_tokens + FAKE_USAGE.completion_tokens });

            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            expect(log).toEqual({
              model_name: m.chat,
              quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO),
              ...FAKE_USAGE,
              channel_id: present(channels.get(t.id), 'channel ids').main,
              is_stream: 0,
            });

            expect(sent).toHaveLength(1);
            expectUpstreamRequest(t, sent[0], t.chatPath(m.chat, false), false);
            switch (t.fake) {
              case 'openai':
              case 'azure':
                // OpenAI wire: the client's body goes upstream unchanged.
                expect(sent[0].body).toEqual({ model: m.chat, messages: HELLO, max_tokens: 50 });
                break;
              case 'anthropic':
                expect(sent[0].body).toEqual({ model: m.chat, system: 'Be brief.', messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }], max_tokens: 50 });
                break;
              case 'gemini':
                expect(sent[0].body).toMatchObject({
                  systemInstruction: { parts: [{ text: 'Be brief.' }] },
                  contents: [{ role: 'user', parts: [{ text: 'hello' }] }],
                  generationConfig: { maxOutputTokens: 50 },
                });
                break;
            }
          });

          it('POST /v1/chat/completions stream: chunks in order, [DONE] last, no usage chunk when include_usage was not asked', async () => {
            if (!h) return;
            const { result: res, sent } = await watch(t, () => postSse(present(h).baseURL, userKey, '/chat/completions', { model: m.chat, messages: HELLO, stream: true }));
            expect(res.status).toBe(200);
            expect(res.contentType).toContain('text/event-stream');
            expect(res.data.at(-1)).toBe('[DONE]');
            expect(res.data.filter((d) => d === '[DONE]')).toHaveLength(1);
            const chunks = res.data.slice(0, -1).map((d) => JSON.parse(d) as ChatChunk);
            for (const c of chunks) {
              expect(c.object).toBe('chat.completion.chunk');
              expect(c.model).toBe(m.chat);
              // A usage-only chunk has `choices: []`; none may reach a client that did not ask.
              expect(c.choices).toHaveLength(1);
              expect(c.usage ?? null).toBeNull();
            }
            expect(chunks[0].choices[0].delta.role).toBe('assistant');
            expect(contentDeltas(chunks)).toEqual(FAKE_PIECES);
            expect(present(chunks.at(-1), 'last chunk').choices[0].finish_reason).toBe('stop');
            expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);

            expect(sent).toHaveLength(1);
            expectUpstreamRequest(t, sent[0], t.chatPath(m.chat, true), true);
            const upstreamBody = sent[0].body as Record<string, unknown>;
            if (t.fake === 'gemini') expect(upstreamBody.stream).toBeUndefined();
            else expect(upstreamBody.stream).toBe(true);
            if (t.fake === 'openai' || t.fake === 'azure') {
              // The relay asks for usage upstream where the provider accepts stream_options, and only there.
              expect(upstreamBody.stream_options).toEqual(t.streamUsageFromUpstream ? { include_usage: true } : undefined);
            } else {
              expect(upstreamBody.stream_options).toBeUndefined();
            }

            const log = await logOf(res.requestId);
            expect(log.is_stream).toBe(1);
            expect(log.channel_id).toBe(present(channels.get(t.id), 'channel ids').main);
            if (t.streamUsageFromUpstream) {
              expect(log).toMatchObject({ ...FAKE_USAGE, quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO) });
            } else {
              // No usage upstream: the relay counts the prompt and the relayed text itself.
              expect(log.prompt_tokens).toBeGreaterThan(0);
              expect(log.completion_tokens).toBeGreaterThan(0);
              expect(log.quota).toBe(cost(log.prompt_tokens, log.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO));
            }
          });

          it('POST /v1/chat/completions stream with include_usage: one usage chunk, last, billed exactly', async () => {
            if (!h) return;
            const { result, sent } = await watch(t, () =>
              client.chat.completions.create({ model: m.chat, messages: HELLO, stream: true, stream_options: { include_usage: true } }).withResponse(),
            );
            const chunks = await drain(result.data);
            expect(contentDeltas(chunks)).toEqual(FAKE_PIECES);
            const withUsage = chunks.filter((c) => c.usage);
            expect(withUsage).toHaveLength(1);
            expect(chunks.at(-1)).toBe(withUsage[0]);
            expect(withUsage[0].choices).toEqual([]);
            expect(chunks.filter((c) => c.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
            expect(sent).toHaveLength(1);
            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            if (t.streamUsageFromUpstream) {
              expect(withUsage[0].usage).toMatchObject(FAKE_USAGE);
              expect(log).toMatchObject({ ...FAKE_USAGE, is_stream: 1, quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO) });
            } else {
              // The upstream rejects stream_options: the client's is not forwarded, and the usage
              // chunk the client asked for carries the relay's own count, which is what is billed.
              expect((sent[0].body as Record<string, unknown>)['stream_options']).toBeUndefined();
              expect(withUsage[0].usage).toMatchObject({ prompt_tokens: log.prompt_tokens, completion_tokens: log.completion_tokens });
              expect(log.completion_tokens).toBeGreaterThan(0);
              expect(log).toMatchObject({ is_stream: 1, quota: cost(log.prompt_tokens, log.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO) });
            }
          });

          if (!full) return;

          if (declared.has('embeddings')) {
            it('POST /v1/embeddings', async () => {
              if (!h) return;
              const input = ['first input', 'second input'];
              const { result, sent } = await watch(t, () => client.embeddings.create({ model: m.embed, input, encoding_format: 'float' }).withResponse());
              const r = result.data;
              expect(r.object).toBe('list');
              expect(r.data.map((d) => d.index)).toEqual([0, 1]);
              for (const d of r.data) {
                expect(d.embedding.length).toBeGreaterThan(0);
                expect(d.embedding.every((x) => typeof x === 'number')).toBe(true);
              }
              expect(sent).toHaveLength(1);
              expectUpstreamRequest(t, sent[0], t.embeddingsPath(m.embed), false);
              const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
              expect(log).toMatchObject({ model_name: m.embed, completion_tokens: 0, channel_id: present(channels.get(t.id), 'channel ids').main, is_stream: 0 });
              if (t.fake === 'gemini') {
                expect(sent[0].body).toEqual({ requests: input.map((text) => ({ model: `models/${m.embed}`, content: { parts: [{ text }] } })) });
                // Gemini reports no usage for embeddings: the relay counts the input itself.
                expect(log.prompt_tokens).toBeGreaterThan(0);
              } else {
                expect(sent[0].body).toEqual({ model: m.embed, input, encoding_format: 'float' });
                expect(log.prompt_tokens).toBe(FAKE_USAGE.prompt_tokens);
              }
              expect(log.quota).toBe(cost(log.prompt_tokens, 0, EMBED_RATIO, 1));
            });
          }

          if (t.fake === 'gemini') {
            // The Gemini adapter refuses token-array input with AdapterNotImplementedError, whose
            // contract (libs/providers/src/errors.ts) is a 501 `api_not_implemented`.
            it('POST /v1/embeddings with token-array input: 501 api_not_implemented (Gemini embeds text only), nothing sent upstream', async () => {
              if (!h) return;
              const { result: error, sent } = await watch(t, () => client.embeddings.create({ model: m.embed, input: [[1, 2, 3]] }).catch((e: unknown) => e));
              expect(sent).toHaveLength(0);
              expect(error).toBeInstanceOf(OpenAI.APIError);
              expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 501, code: 'api_not_implemented' });
            });
          }

          const probe = undeclaredProbe(t);
          if (probe) {
            it(`answers 400 endpoint_not_supported for ${probe}, which the type does not declare, without calling upstream`, async () => {
              if (!h) return;
              const call = (): Promise<unknown> => {
                switch (probe) {
                  case 'embeddings':
                    return client.embeddings.create({ model: m.chat, input: 'x' });
                  case 'completions':
                    return client.completions.create({ model: m.chat, prompt: 'x' });
                  case 'moderations':
                    return client.moderations.create({ model: m.chat, input: 'x' });
                  case 'images':
                    return client.images.generate({ model: m.chat, prompt: 'x' });
                  case 'audio.speech':
                    return client.audio.speech.create({ model: m.chat, input: 'x', voice: 'alloy' });
                }
              };
              const { result: error, sent } = await watch(t, () => call().catch((e: unknown) => e));
              // Routing skips channels whose type lacks the endpoint; none left is the caller's 4xx, naming it.
              expect(error).toBeInstanceOf(OpenAI.BadRequestError);
              expect((error as APIError).status).toBe(400);
              expect((error as APIError).code).toBe('endpoint_not_supported');
              expect((error as APIError).message).toContain(m.chat);
              expect(sent).toHaveLength(0);
            });
          }

          it('maps upstream errors to the SDK error classes: revoked key, 429 → saturated 429 after retries, 500 → 5xx', async () => {
            if (!h) return;
            const chat = (model: string) => client.chat.completions.create({ model, messages: HELLO }).catch((e: unknown) => e);

            const revoked = await watch(t, () => chat(m.revoked));
            // The channel's key, not the caller's: 502, never 401 (SDKs would blame the caller's key).
            expect(revoked.result).toBeInstanceOf(OpenAI.InternalServerError);
            expect((revoked.result as APIError).status).toBe(502);
            expect((revoked.result as APIError).code).toBe('upstream_auth_error');
            expect((revoked.result as APIError).message).not.toContain(WRONG_UPSTREAM_KEY);
            expect(revoked.sent).toHaveLength(1);
            expectUpstreamRequest(t, revoked.sent[0], t.chatPath(m.revoked, false), false, WRONG_UPSTREAM_KEY);

            const busy = await watch(t, () => chat(m.busy));
            expect(busy.result).toBeInstanceOf(OpenAI.RateLimitError);
            expect((busy.result as APIError).code).toBe('upstream_saturated');
            expect((busy.result as APIError).message).toContain('saturated');
            // RetryTimes 1: the first busy channel, then the other one.
            expect(busy.sent).toHaveLength(2);
            for (const r of busy.sent) expectUpstreamRequest(t, r, t.chatPath(m.busy, false), false);

            const broken = await watch(t, () => chat(m.broken));
            expect(broken.result).toBeInstanceOf(OpenAI.InternalServerError);
            expect((broken.result as APIError).status).toBe(502);
            expect(broken.sent).toHaveLength(1);

            // A stream that fails before its first byte is an ordinary error reply, not an SSE body.
            const brokenStream = await watch(t, () => client.chat.completions.create({ model: m.broken, messages: HELLO, stream: true }).catch((e: unknown) => e));
            expect(brokenStream.result).toBeInstanceOf(OpenAI.InternalServerError);
            expect((brokenStream.result as APIError).status).toBe(502);
            expect(brokenStream.sent).toHaveLength(1);
            expectUpstreamRequest(t, brokenStream.sent[0], t.chatPath(m.broken, true), true);

            // Error messages never reveal where the channel points.
            for (const e of [revoked.result, busy.result, broken.result, brokenStream.result]) {
              expect((e as APIError).message).not.toContain(fakes[t.fake].url);
              expect((e as APIError).message).not.toContain(UPSTREAM_KEY);
            }
          });

          it('applies the channel model mapping upstream (URL or body) and bills the client model', async () => {
            if (!h) return;
            const { result, sent } = await watch(t, () => client.chat.completions.create({ model: m.alias, messages: HELLO }).withResponse());
            expect(result.data.choices[0].message.content).toBe(FAKE_PIECES.join(''));
            // Native conversions report the client's model; OpenAI-wire replies pass through as the upstream wrote them.
            if (t.fake === 'anthropic' || t.fake === 'gemini') expect(result.data.model).toBe(m.alias);
            expect(sent).toHaveLength(1);
            expectUpstreamRequest(t, sent[0], t.chatPath(m.mapped, false), false);
            if (t.fake !== 'gemini') expect((sent[0].body as { model?: unknown }).model).toBe(m.mapped);
            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            expect(log).toMatchObject({ model_name: m.alias, ...FAKE_USAGE, quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens, CHAT_RATIO, 1) });
          });

          it('tool calls, not streamed: converted request, tool_calls reply, usage billed', async () => {
            if (!h) return;
            const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris, and the time in UTC?' }];
            const { result, sent } = await watch(t, () => client.chat.completions.create({ model: m.tools, messages, tools: TOOLS, tool_choice: 'auto' }).withResponse());
            const choice = result.data.choices[0];
            expect(choice.finish_reason).toBe('tool_calls');
            const calls = choice.message.tool_calls ?? [];
            expect(calls.map((c) => (c.type === 'function' ? { name: c.function.name, args: JSON.parse(c.function.arguments) as unknown } : c))).toEqual(EXPECTED_CALLS);
            expect(new Set(calls.map((c) => c.id)).size).toBe(2);
            for (const c of calls) expect(c.id).toMatch(/\S/);

            expect(sent).toHaveLength(1);
            expectUpstreamRequest(t, sent[0], t.chatPath(m.tools, false), false);
            const body = sent[0].body as Record<string, unknown>;
            switch (t.fake) {
              case 'openai':
              case 'azure':
                expect(body.tools).toEqual(TOOLS);
                break;
              case 'anthropic':
                expect(body.tools).toEqual(TOOLS.map((x) => ({ name: x.function.name, description: x.function.description, input_schema: x.function.parameters })));
                expect(body.tool_choice).toEqual({ type: 'auto' });
                break;
              case 'gemini': {
                const decls = (body.tools as { functionDeclarations: { name: string; description?: string; parameters?: { properties?: object } }[] }[])[0].functionDeclarations;
                expect(decls.map((d) => [d.name, d.description])).toEqual(TOOLS.map((x) => [x.function.name, x.function.description]));
                expect(Object.keys(decls[0].parameters?.properties ?? {})).toEqual(['city']);
                break;
              }
            }
            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            expect(log).toMatchObject({ prompt_tokens: present(result.data.usage, 'usage').prompt_tokens, completion_tokens: present(result.data.usage, 'usage').completion_tokens, model_name: m.tools });
            expect(log.prompt_tokens).toBe(FAKE_USAGE.prompt_tokens);
          });

          it('tool calls, streamed: tool_calls deltas keep their index, arguments assemble, usage last', async () => {
            if (!h) return;
            const { result, sent } = await watch(t, () =>
              client.chat.completions
                .create({ model: m.tools, messages: [{ role: 'user', content: 'Weather in Paris, and the time in UTC?' }], tools: TOOLS, stream: true, stream_options: { include_usage: true } })
                .withResponse(),
            );
            const chunks = await drain(result.data);
            const calls = assembleToolCalls(chunks);
            expect(calls.map(([index]) => index)).toEqual([0, 1]);
            expect(calls.map(([, c]) => ({ name: c.name, args: JSON.parse(c.args) as unknown }))).toEqual(EXPECTED_CALLS);
            for (const [, c] of calls) expect(c.id).toMatch(/\S/);
            expect(calls[0][1].id).not.toBe(calls[1][1].id);
            expect(chunks.filter((c) => c.choices[0]?.finish_reason === 'tool_calls')).toHaveLength(1);
            const usage = present(chunks.at(-1), 'last chunk').usage;
            // Upstreams that reject stream_options get none; the usage chunk is then the relay's count.
            if (t.streamUsageFromUpstream) expect(usage?.prompt_tokens).toBe(FAKE_USAGE.prompt_tokens);
            else expect(usage?.prompt_tokens).toBeGreaterThan(0);
            expect(sent).toHaveLength(1);
            expectUpstreamRequest(t, sent[0], t.chatPath(m.tools, true), true);
            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            expect(log).toMatchObject({ prompt_tokens: present(usage, 'usage chunk').prompt_tokens, completion_tokens: present(usage, 'usage chunk').completion_tokens, is_stream: 1 });
          });

          it('a tool result turn is converted to the provider’s shape', async () => {
            if (!h) return;
            const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
              { role: 'user', content: 'Weather in Paris?' },
              { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
              { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21°C' },
            ];
            const { result, sent } = await watch(t, () => client.chat.completions.create({ model: m.chat, messages, tools: TOOLS }));
            expect(result.choices[0].message.content).toBe(FAKE_PIECES.join(''));
            expect(sent).toHaveLength(1);
            const body = sent[0].body as Record<string, unknown>;
            switch (t.fake) {
              case 'openai':
              case 'azure':
                expect(body.messages).toEqual(messages);
                break;
              case 'anthropic':
                expect(body.messages).toMatchObject([
                  { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
                  { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
                  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1' }] },
                ]);
                expect(JSON.stringify((body.messages as unknown[])[2])).toContain('sunny, 21°C');
                break;
              case 'gemini':
                expect(body.contents).toMatchObject([
                  { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
                  { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
                  { role: 'user', parts: [{ functionResponse: { name: 'get_weather' } }] },
                ]);
                expect(JSON.stringify((body.contents as unknown[])[2])).toContain('sunny, 21°C');
                break;
            }
          });

          it('image content parts (data URL and remote URL) reach the provider in its shape', async () => {
            if (!h) return;
            const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
              {
                role: 'user',
                content: [
                  { type: 'text', text: 'What is in these images?' },
                  { type: 'image_url', image_url: { url: PNG_DATA_URL } },
                  { type: 'image_url', image_url: { url: REMOTE_IMAGE_URL } },
                ],
              },
            ];
            const { result, sent } = await watch(t, () => client.chat.completions.create({ model: m.chat, messages }).withResponse());
            expect(result.data.choices[0].message.content).toBe(FAKE_PIECES.join(''));
            expect(sent).toHaveLength(1);
            const body = sent[0].body as Record<string, unknown>;
            switch (t.fake) {
              case 'openai':
              case 'azure':
                expect(body.messages).toEqual(messages);
                break;
              case 'anthropic':
                expect(body.messages).toEqual([
                  {
                    role: 'user',
                    content: [
                      { type: 'text', text: 'What is in these images?' },
                      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
                      { type: 'image', source: { type: 'url', url: REMOTE_IMAGE_URL } },
                    ],
                  },
                ]);
                break;
              case 'gemini':
                expect(body.contents).toEqual([
                  {
                    role: 'user',
                    parts: [{ text: 'What is in these images?' }, { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }, { fileData: { mimeType: 'image/png', fileUri: REMOTE_IMAGE_URL } }],
                  },
                ]);
                break;
            }
            const log = await logOf(result.response.headers.get('x-oneapi-request-id'));
            expect(log).toMatchObject(FAKE_USAGE);
          });
        });
      }

      if (!full) return;

      describe(`type 3 ${getChannelType(3)?.name ?? 'Azure'} on its default api-version ${AZURE_DEFAULT_API_VERSION} (before stream_options)`, () => {
        it('stream: no stream_options upstream, tokens counted by the relay', async () => {
          if (!h) return;
          const fake = fakes.azure;
          const from = fake.requests.length;
          const res = await postSse(h.baseURL, userKey, '/chat/completions', { model: LEGACY_AZURE_MODEL, messages: HELLO, stream: true });
          expect(res.status).toBe(200);
          expect(res.data.at(-1)).toBe('[DONE]');
          expect(contentDeltas(res.data.slice(0, -1).map((d) => JSON.parse(d) as ChatChunk))).toEqual(FAKE_PIECES);
          const sent = since(fake.requests, from);
          expect(sent).toHaveLength(1);
          expect(sent[0].path).toBe('/openai/deployments/c3-legacy-35/chat/completions');
          expect(sent[0].query).toEqual({ 'api-version': AZURE_DEFAULT_API_VERSION });
          expect((sent[0].body as Record<string, unknown>).stream_options).toBeUndefined();
          const log = await logOf(res.requestId);
          expect(log.channel_id).toBe(legacyAzure);
          expect(log.completion_tokens).toBeGreaterThan(0);
          expect(log.quota).toBe(cost(log.prompt_tokens, log.completion_tokens, CHAT_RATIO, CHAT_COMPLETION_RATIO));
        });

        // Azure before api-version 2024-09-01 rejects `stream_options` ("Unrecognized request
        // argument supplied", https://github.com/songquanpeng/one-api/issues/1423): the relay drops
        // it for such upstreams, counts the tokens itself, and still sends the usage chunk asked for.
        it('stream with include_usage: stream_options is not forwarded, and the usage chunk (counted by the relay) still ends the stream', async () => {
          if (!h) return;
          const fake = fakes.azure;
          const from = fake.requests.length;
          const { result, error } = await client.chat.completions
            .create({ model: LEGACY_AZURE_MODEL, messages: HELLO, stream: true, stream_options: { include_usage: true } })
            .withResponse()
            .then((r) => ({ result: r, error: undefined }), (e: unknown) => ({ result: undefined, error: e }));
          expect(error).toBeUndefined();
          const sent = since(fake.requests, from);
          expect(sent).toHaveLength(1);
          expect((sent[0].body as Record<string, unknown>).stream_options).toBeUndefined();
          const chunks = await drain(present(result, 'stream').data);
          expect(contentDeltas(chunks)).toEqual(FAKE_PIECES);
          const last = present(chunks.at(-1), 'last chunk');
          expect(last.choices).toEqual([]);
          const log = await logOf(present(result, 'stream').response.headers.get('x-oneapi-request-id'));
          expect(last.usage).toMatchObject({ prompt_tokens: log.prompt_tokens, completion_tokens: log.completion_tokens });
          expect(log.completion_tokens).toBeGreaterThan(0);
        });
      });
    });
  }
});
