import OpenAI, { toFile } from 'openai';
import { ChannelType } from '@oneapi/domain';
import { availableDbKinds, fakeRerankTokens, startFakeOpenAI, startFakeRerank, type DbKind, type FakeUpstream, type UpstreamServer } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';

/** A 1x1 PNG: what the SDK uploads as the image to edit. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

const RATIOS = {
  'jina-reranker-v2-base-multilingual': 0.5,
  'rerank-v3.5': 1,
  'BAAI/bge-reranker-v2-m3': 2,
  'dall-e-2': 8,
  'dall-e-3': 20,
  'gpt-image-1': 2.5,
  'chat-only': 1,
  'mixed-model': 1,
  'bge-reranker-v2-m3': 3,
  'vllm-reranker': 1,
};
const COMPLETION_RATIOS = { 'gpt-image-1': 4 };

interface LogRow {
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  model_name: string;
  channel_id: number;
}

interface RerankReply {
  results: { index: number; relevance_score: number; document?: { text: string } }[];
  usage?: { total_tokens: number };
  meta?: { billed_units?: { search_units?: number } };
}

describe('POST /v1/rerank, /v1/images/edits, /v1/images/variations', () => {
  let kinds: DbKind[] = [];
  beforeAll(async () => {
    kinds = await availableDbKinds();
  });

  for (const kind of ['sqlite', 'mysql'] as const) {
    describe(kind, () => {
      let h: RelayHarness;
      let openai: FakeUpstream;
      let cohere: UpstreamServer;
      let jina: UpstreamServer;
      let siliconflow: UpstreamServer;
      let userId: number;
      let key: string;
      let client: OpenAI;
      const channels: Record<string, number> = {};

      const balances = async () => {
        const [u] = await h.sql<{ quota: number }>('SELECT quota FROM users WHERE id = ?', [userId]);
        const [t] = await h.sql<{ remain_quota: number }>('SELECT remain_quota FROM tokens WHERE `key` = ?', [key.slice(3)]);
        return { user: Number(u.quota), token: Number(t.remain_quota) };
      };
      const logOf = async (requestId: string | null): Promise<LogRow> => {
        await h.flush();
        const [row] = await h.sql<LogRow>('SELECT quota, prompt_tokens, completion_tokens, model_name, channel_id FROM logs WHERE request_id = ?', [requestId ?? '']);
        if (!row) throw new Error(`no log row for ${requestId}`);
        return { ...row, quota: Number(row.quota), prompt_tokens: Number(row.prompt_tokens), completion_tokens: Number(row.completion_tokens), channel_id: Number(row.channel_id) };
      };
      const post = (path: string, body: unknown) =>
        fetch(`${h.baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      /** Runs a call and checks that exactly its log row's quota left both balances and the books reconcile. */
      const billed = async <T>(call: () => Promise<{ requestId: string | null; value: T }>) => {
        const before = await balances();
        const { requestId, value } = await call();
        const log = await logOf(requestId);
        const after = await balances();
        expect({ user: before.user - after.user, token: before.token - after.token }).toEqual({ user: log.quota, token: log.quota });
        expect(await h.drift()).toEqual([]);
        return { log, value };
      };

      beforeAll(async () => {
        if (!kinds.includes(kind)) return;
        openai = await startFakeOpenAI();
        cohere = await startFakeRerank({ flavor: 'cohere', apiKey: 'co-key' });
        jina = await startFakeRerank({ flavor: 'jina', apiKey: 'jina-key' });
        siliconflow = await startFakeRerank({ flavor: 'siliconflow', apiKey: 'sf-key' });
        h = await startRelayHarness(kind);
        await h.setOption('ModelRatio', JSON.stringify(RATIOS));
        await h.setOption('CompletionRatio', JSON.stringify(COMPLETION_RATIOS));
        userId = await h.createUser({ quota: 50_000_000 });
        key = await h.createToken({ userId, unlimitedQuota: false, remainQuota: 20_000_000 });
        channels.cohere = await h.createChannel({ type: ChannelType.Cohere, key: 'co-key', baseUrl: cohere.url, models: ['rerank-v3.5'] });
        channels.jina = await h.createChannel({ type: ChannelType.Jina, key: 'jina-key', baseUrl: jina.url, models: ['jina-reranker-v2-base-multilingual', 'mixed-model'] });
        channels.siliconflow = await h.createChannel({ type: ChannelType.SiliconFlow, key: 'sf-key', baseUrl: siliconflow.url, models: ['BAAI/bge-reranker-v2-m3'] });
        // Xinference and the OpenAI-compatible type speak the same /v1/rerank shape (self-hosted servers).
        channels.xinference = await h.createChannel({ type: ChannelType.Xinference, key: 'sf-key', baseUrl: siliconflow.url, models: ['bge-reranker-v2-m3'] });
        channels.compatible = await h.createChannel({ type: ChannelType.OpenAICompatible, key: 'sf-key', baseUrl: `${siliconflow.url}/v1`, models: ['vllm-reranker'] });
        channels.openai = await h.createChannel({ type: ChannelType.OpenAI, baseUrl: openai.url, models: ['dall-e-2', 'dall-e-3', 'gpt-image-1'] });
        // A chat-only type: it serves neither rerank nor image edits. For mixed-model it has the
        // higher priority, so routing must pass it over for rerank.
        channels.deepseek = await h.createChannel({ type: ChannelType.DeepSeek, baseUrl: openai.url, models: ['chat-only', 'mixed-model'], priority: 10 });
        await h.refresh();
        client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
      });
      afterAll(async () => {
        await h?.close();
        await Promise.all([openai?.close(), cohere?.close(), jina?.close(), siliconflow?.close()]);
      });

      describe('POST /v1/rerank', () => {
        const query = 'what is the capital of france';
        const documents = ['Paris is the capital of France', 'Berlin is the capital of Germany', 'The cat sat on the mat'];

        it('through Jina: passes the body on, answers its results and bills its reported tokens at the model ratio', async () => {
          if (!h) return;
          const { log, value } = await billed(async () => {
            const res = await post('/rerank', { model: 'jina-reranker-v2-base-multilingual', query, documents: [documents[0], { text: documents[1] }, documents[2]], top_n: 2 });
            expect(res.status).toBe(200);
            return { requestId: res.headers.get('x-request-id'), value: (await res.json()) as RerankReply };
          });
          expect(value.results).toHaveLength(2);
          expect(value.results[0]).toMatchObject({ index: 0, document: { text: documents[0] } });
          const tokens = fakeRerankTokens(query, documents);
          expect(value.usage).toEqual({ total_tokens: tokens });
          expect(log).toMatchObject({ model_name: 'jina-reranker-v2-base-multilingual', channel_id: channels.jina, prompt_tokens: tokens, completion_tokens: 0 });
          expect(log.quota).toBe(Math.ceil(tokens * RATIOS['jina-reranker-v2-base-multilingual']));
          const sent = jina.requestsTo('/v1/rerank').at(-1);
          expect(sent?.headers.authorization).toBe('Bearer jina-key');
          expect(sent?.body).toMatchObject({ model: 'jina-reranker-v2-base-multilingual', top_n: 2 });
        });

        it('through Cohere: converts to /v2/rerank (strings, no return_documents), restores the documents and bills per search unit', async () => {
          if (!h) return;
          // 150 documents: two search units of 100.
          const many = Array.from({ length: 150 }, (_, i) => (i === 42 ? { text: 'Paris is the capital of France' } : `filler document number ${i}`));
          const { log, value } = await billed(async () => {
            const res = await post('/rerank', { model: 'rerank-v3.5', query, documents: many, top_n: 3, return_documents: true });
            expect(res.status).toBe(200);
            return { requestId: res.headers.get('x-request-id'), value: (await res.json()) as RerankReply };
          });
          expect(value.results).toHaveLength(3);
          expect(value.results[0]).toMatchObject({ index: 42, document: { text: 'Paris is the capital of France' } });
          expect(value.meta?.billed_units?.search_units).toBe(2);
          const sent = cohere.requestsTo('/v2/rerank').at(-1);
          expect(sent?.headers.authorization).toBe('Bearer co-key');
          expect(sent?.body).toEqual({ model: 'rerank-v3.5', query, documents: many.map((d) => (typeof d === 'string' ? d : d.text)), top_n: 3 });
          expect(log).toMatchObject({ model_name: 'rerank-v3.5', channel_id: channels.cohere, completion_tokens: 0 });
          expect(log.quota).toBe(2 * 1000 * RATIOS['rerank-v3.5']);
        });

        it('through SiliconFlow: bills the tokens of meta.tokens', async () => {
          if (!h) return;
          const { log, value } = await billed(async () => {
            const res = await post('/rerank', { model: 'BAAI/bge-reranker-v2-m3', query, documents, return_documents: false });
            expect(res.status).toBe(200);
            return { requestId: res.headers.get('x-request-id'), value: (await res.json()) as RerankReply };
          });
          expect(value.results.map((r) => r.index).sort()).toEqual([0, 1, 2]);
          expect(value.results[0].document).toBeUndefined();
          const tokens = fakeRerankTokens(query, documents);
          expect(log).toMatchObject({ channel_id: channels.siliconflow, prompt_tokens: tokens, completion_tokens: 0 });
          expect(log.quota).toBe(tokens * RATIOS['BAAI/bge-reranker-v2-m3']);
          expect(siliconflow.requestsTo('/v1/rerank')).toHaveLength(1);
        });

        it.each([
          ['Xinference (101)', 'bge-reranker-v2-m3', 'xinference'],
          ['OpenAI-compatible (50)', 'vllm-reranker', 'compatible'],
        ])('through %s: /v1/rerank under its base URL, billed on the reported tokens', async (_label, model, channel) => {
          if (!h) return;
          const { log } = await billed(async () => {
            const res = await post('/rerank', { model, query, documents });
            expect(res.status).toBe(200);
            return { requestId: res.headers.get('x-request-id'), value: await res.json() };
          });
          const tokens = fakeRerankTokens(query, documents);
          expect(log).toMatchObject({ channel_id: channels[channel], prompt_tokens: tokens });
          expect(log.quota).toBe(tokens * RATIOS[model as keyof typeof RATIOS]);
          expect(siliconflow.requests.at(-1)?.path).toBe('/v1/rerank');
        });

        it('routes past a higher-priority channel whose type has no rerank', async () => {
          if (!h) return;
          const before = openai.count();
          const res = await post('/rerank', { model: 'mixed-model', query, documents });
          expect(res.status).toBe(200);
          const log = await logOf(res.headers.get('x-request-id'));
          expect(log.channel_id).toBe(channels.jina);
          expect(openai.count()).toBe(before);
        });

        it.each([
          ['no query', { model: 'rerank-v3.5', documents: ['a'] }, 'query'],
          ['no documents', { model: 'rerank-v3.5', query: 'q', documents: [] }, 'documents'],
          ['a number as a document', { model: 'rerank-v3.5', query: 'q', documents: ['a', 3] }, 'documents[1]'],
          ['top_n 0', { model: 'rerank-v3.5', query: 'q', documents: ['a'], top_n: 0 }, 'top_n'],
          ['no model', { query: 'q', documents: ['a'] }, 'model'],
        ])('refuses %s: 400 naming the field, nothing reserved or sent', async (_label, body, param) => {
          if (!h) return;
          const before = await balances();
          const sent = cohere.requests.length;
          const res = await post('/rerank', body);
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: { param: string; type: string } }).error).toMatchObject({ type: 'invalid_request_error', param });
          expect(cohere.requests.length).toBe(sent);
          expect(await balances()).toEqual(before);
        });
      });

      describe('POST /v1/images/edits and /v1/images/variations', () => {
        it('client.images.edit (dall-e-2): the upload reaches OpenAI untouched and is billed per image by size × n', async () => {
          if (!h) return;
          const { log, value } = await billed(async () => {
            const { data, response } = await client.images
              .edit({ model: 'dall-e-2', image: await toFile(PNG, 'cat.png', { type: 'image/png' }), prompt: 'add a hat', n: 2, size: '512x512' })
              .withResponse();
            return { requestId: response.headers.get('x-request-id'), value: data };
          });
          expect(value.data).toHaveLength(2);
          const sent = openai.requestsTo('/v1/images/edits').at(-1);
          expect(sent?.parts?.find((p) => p.name === 'image')?.data.equals(PNG)).toBe(true);
          expect(sent?.parts?.find((p) => p.name === 'prompt')?.data.toString()).toBe('add a hat');
          expect(log).toMatchObject({ model_name: 'dall-e-2', channel_id: channels.openai, prompt_tokens: 0, completion_tokens: 0 });
          // One API's image price: trunc(ratio × size ratio (512x512: 1.125) × 1000) per image.
          expect(log.quota).toBe(Math.trunc(RATIOS['dall-e-2'] * 1.125 * 1000) * 2);
        });

        it('client.images.edit (gpt-image-1, two images): billed on the usage the reply reports', async () => {
          if (!h) return;
          const { log, value } = await billed(async () => {
            const image = [await toFile(PNG, 'a.png', { type: 'image/png' }), await toFile(PNG, 'b.png', { type: 'image/png' })];
            const { data, response } = await client.images.edit({ model: 'gpt-image-1', image, prompt: 'merge them', quality: 'low' }).withResponse();
            return { requestId: response.headers.get('x-request-id'), value: data };
          });
          const usage = value.usage;
          if (!usage) throw new Error('gpt-image reply without usage');
          expect(openai.requestsTo('/v1/images/edits').at(-1)?.parts?.filter((p) => p.name === 'image[]')).toHaveLength(2);
          expect(log).toMatchObject({ prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens });
          expect(log.quota).toBe(Math.ceil((usage.input_tokens + usage.output_tokens * COMPLETION_RATIOS['gpt-image-1']) * RATIOS['gpt-image-1']));
        });

        it('client.images.createVariation (dall-e-2): billed per image like a generation', async () => {
          if (!h) return;
          const { log, value } = await billed(async () => {
            const { data, response } = await client.images.createVariation({ model: 'dall-e-2', image: await toFile(PNG, 'cat.png', { type: 'image/png' }), size: '256x256' }).withResponse();
            return { requestId: response.headers.get('x-request-id'), value: data };
          });
          expect(value.data).toHaveLength(1);
          expect(openai.requestsTo('/v1/images/variations')).toHaveLength(1);
          expect(log.quota).toBe(Math.trunc(RATIOS['dall-e-2'] * 1 * 1000));
        });

        const form = (fields: Record<string, string>, image?: Buffer) => {
          const f = new FormData();
          for (const [k, v] of Object.entries(fields)) f.append(k, v);
          if (image) f.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'cat.png');
          return f;
        };
        it.each([
          ['/images/edits', 'without an image', form({ model: 'dall-e-2', prompt: 'x' }), 'image'],
          ['/images/edits', 'without a prompt', form({ model: 'dall-e-2' }, PNG), 'prompt'],
          ['/images/edits', 'for dall-e-3', form({ model: 'dall-e-3', prompt: 'x' }, PNG), 'model'],
          ['/images/edits', 'with a 4 MB image for dall-e-2', form({ model: 'dall-e-2', prompt: 'x' }, Buffer.alloc(4 * 1024 * 1024, 1)), 'image'],
          ['/images/edits', 'with size 1024x1792 for dall-e-2', form({ model: 'dall-e-2', prompt: 'x', size: '1024x1792' }, PNG), 'size'],
          ['/images/variations', 'for gpt-image-1', form({ model: 'gpt-image-1' }, PNG), 'model'],
          ['/images/variations', 'with n 11', form({ model: 'dall-e-2', n: '11' }, PNG), 'n'],
        ])('POST %s %s: 400 naming the field, nothing reserved or sent', async (path, _label, body, param) => {
          if (!h) return;
          const before = await balances();
          const sent = openai.count();
          const res = await fetch(`${h.baseURL}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: { param: string; type: string } }).error).toMatchObject({ type: 'invalid_request_error', param });
          expect(openai.count()).toBe(sent);
          expect(await balances()).toEqual(before);
        });

        it('answers 415 to a JSON body', async () => {
          if (!h) return;
          const res = await post('/images/edits', { model: 'dall-e-2', prompt: 'x' });
          expect(res.status).toBe(415);
        });
      });

      describe('endpoints a channel type does not serve', () => {
        it('rerank on a model whose only channel is chat-only: 400 naming the endpoint and the model', async () => {
          if (!h) return;
          const before = await balances();
          const res = await post('/rerank', { model: 'chat-only', query: 'q', documents: ['a'] });
          expect(res.status).toBe(400);
          const { error } = (await res.json()) as { error: { code: string; message: string } };
          expect(error.code).toBe('endpoint_not_supported');
          expect(error.message).toContain('/v1/rerank');
          expect(error.message).toContain('chat-only');
          expect(error.message).toContain('DeepSeek');
          expect(await balances()).toEqual(before);
        });

        it('an image edit on a chat-only type: 400 endpoint_not_supported', async () => {
          if (!h) return;
          const body = new FormData();
          body.append('model', 'chat-only');
          body.append('prompt', 'x');
          body.append('image', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'cat.png');
          const res = await fetch(`${h.baseURL}/images/edits`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body });
          expect(res.status).toBe(400);
          const { error } = (await res.json()) as { error: { code: string; message: string } };
          expect(error.code).toBe('endpoint_not_supported');
          expect(error.message).toContain('/v1/images/edits');
        });
      });

      describe('GET /v1/models', () => {
        it('lists supported_endpoints per model: the union over the channels serving it', async () => {
          if (!h) return;
          const list = (await client.models.list()).data as unknown as { id: string; supported_endpoints: string[] }[];
          const of = (id: string) => list.find((m) => m.id === id)?.supported_endpoints;
          // Cohere: rerank (and chat), never an OpenAI-only endpoint.
          expect(of('rerank-v3.5')).toContain('/v1/rerank');
          expect(of('rerank-v3.5')).not.toContain('/v1/images/edits');
          expect(of('jina-reranker-v2-base-multilingual')).toEqual(['/v1/embeddings', '/v1/rerank']);
          // Served by Jina (rerank, embeddings) and DeepSeek (chat and what rides on chat).
          expect(of('mixed-model')).toEqual(expect.arrayContaining(['/v1/chat/completions', '/v1/embeddings', '/v1/rerank']));
          expect(of('chat-only')).toContain('/v1/chat/completions');
          expect(of('chat-only')).not.toContain('/v1/rerank');
          expect(of('dall-e-2')).toEqual(expect.arrayContaining(['/v1/images/generations', '/v1/images/edits', '/v1/images/variations']));
          const one = (await client.models.retrieve('rerank-v3.5')) as unknown as { supported_endpoints: string[] };
          expect(one.supported_endpoints).toEqual(of('rerank-v3.5'));
        });
      });
    });
  }
});
