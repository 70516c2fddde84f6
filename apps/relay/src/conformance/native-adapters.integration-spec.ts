import OpenAI, { APIError } from 'openai';
import { exportPKCS8, generateKeyPair } from 'jose';
import { availableDbKinds, startFakeAIProxyLibrary, startFakeOpenAI, startFakeBaidu, startFakeBedrock, startFakeCloudflare, startFakeCohere, startFakeCoze, startFakeDeepL, startFakeReplicate, startFakeTencent, startFakeVertex, type DbKind, type FakeUpstreamRequest } from '@oneapi/testing';
import { startRelayHarness, type RelayHarness } from '../testing/relay-test-harness';
import { EXPECTED_CALLS, FAKE_PIECES, FAKE_USAGE, NATIVE_CASES, TOOLS, type NativeCase, type NativeFakeKind } from '../testing/conformance-cases';

/**
 * Conformance of the signed / token / other-wire channel types (issue 14) through the relay,
 * driven by the official `openai` SDK: each case's channel points at its provider's fake, which
 * verifies the real authentication (SigV4 recomputed, JWT signature checked) and rejects what the
 * provider rejects. Billing is checked against the usage each fake reported.
 */

const RATIO = 2;
const COMPLETION_RATIO = 3;
const cost = (prompt: number, completion: number) => Math.max(1, Math.ceil((prompt + completion * COMPLETION_RATIO) * RATIO));

const AK = 'AKIACONFORMANCE0001';
const SK = 'conformance/secret+access/key';
const AWS_REGION = 'us-west-2';
const PROJECT = 'conformance-project';
const GCP_REGION = 'us-east5';
const EMAIL = 'relay@conformance-project.iam.gserviceaccount.com';
const COHERE_KEY = 'co-conformance-key-0001';
const CF_ACCOUNT = 'conformance-account';
const CF_TOKEN = 'cf-conformance-token-0001';
const BAIDU_ID = 'baidu-conformance-client';
const BAIDU_SECRET = 'baidu-conformance-secret';
const TC_SECRET_ID = 'AKIDconformance0001';
const TC_SECRET_KEY = 'tencent-conformance-secret-key';
const REPLICATE_TOKEN = 'r8_conformance_token_0001';
const COZE_TOKEN = 'pat_conformance_token_0001';
const DEEPL_KEY = 'deepl-conformance-key:fx';
const LIBRARY_KEY = 'aip-conformance-key-0001';
const LIBRARY_ID = 'conformance-library';

interface Fake {
  url: string;
  requests: FakeUpstreamRequest[];
  close(): Promise<void>;
}

type ChatChunk = OpenAI.Chat.Completions.ChatCompletionChunk;

interface LogRow {
  quota: number;
  prompt_tokens: number;
  completion_tokens: number;
  channel_id: number;
  is_stream: number;
}

describe('adapter conformance: signed and token-authenticated channel types through the relay', () => {
  let kinds: DbKind[] = [];
  let h: RelayHarness | undefined;
  let client: OpenAI;
  const fakes = {} as Record<NativeFakeKind, Fake>;
  /** Channel per case (by label): the good one and one whose credentials the provider refuses. */
  const channels = new Map<string, { good: number; bad: number }>();
  let deepl: Fake | undefined;
  let proxied: Fake | undefined;
  let proxyChannel = 0;
  let vipProxyChannel = 0;
  let userKey = '';
  let deeplChannel = 0;
  /** Secrets of the refused channels, none of which may reach a client. */
  const secrets: string[] = [SK];

  beforeAll(async () => {
    kinds = await availableDbKinds();
    if (!kinds.includes('sqlite')) return;
    const pair = await generateKeyPair('RS256', { extractable: true });
    const goodPem = await exportPKCS8(pair.privateKey);
    const badPem = await exportPKCS8((await generateKeyPair('RS256', { extractable: true })).privateKey);
    fakes.bedrock = await startFakeBedrock({ accessKeyId: AK, secretAccessKey: SK, region: AWS_REGION });
    const vertex = await startFakeVertex({ projectId: PROJECT, region: GCP_REGION, clientEmail: EMAIL, publicKey: pair.publicKey });
    fakes.vertex = vertex;
    fakes.cohere = await startFakeCohere({ apiKey: COHERE_KEY });
    fakes.cloudflare = await startFakeCloudflare({ accountId: CF_ACCOUNT, apiKey: CF_TOKEN });
    fakes.baidu = await startFakeBaidu({ clientId: BAIDU_ID, clientSecret: BAIDU_SECRET });
    fakes.tencent = await startFakeTencent({ secretId: TC_SECRET_ID, secretKey: TC_SECRET_KEY });
    fakes.replicate = await startFakeReplicate({ apiKey: REPLICATE_TOKEN });
    fakes.coze = await startFakeCoze({ apiKey: COZE_TOKEN });
    fakes['aiproxy-library'] = await startFakeAIProxyLibrary({ apiKey: LIBRARY_KEY, libraryId: LIBRARY_ID });
    h = await startRelayHarness('sqlite');
    const adc = (pem: string) => JSON.stringify({ type: 'service_account', project_id: PROJECT, client_email: EMAIL, private_key: pem, private_key_id: 'kid-1', token_uri: vertex.tokenUri });
    const credentials = (c: NativeCase, good: boolean): { key: string; config: Record<string, string> } => {
      switch (c.fake) {
        case 'bedrock':
          return { key: `${AK}|${good ? SK : 'refused/secret+key'}|${AWS_REGION}`, config: {} };
        case 'vertex':
          return { key: `${GCP_REGION}|${PROJECT}|service-account`, config: { region: GCP_REGION, vertex_ai_project_id: PROJECT, vertex_ai_adc: adc(good ? goodPem : badPem) } };
        case 'cohere':
          return { key: good ? COHERE_KEY : 'co-refused-key-0001', config: {} };
        case 'cloudflare':
          return { key: good ? CF_TOKEN : 'cf-refused-token-0001', config: { user_id: CF_ACCOUNT } };
        case 'baidu':
          return { key: `${BAIDU_ID}|${good ? BAIDU_SECRET : 'refused-baidu-secret'}`, config: {} };
        case 'tencent':
          return { key: `1250000000|${TC_SECRET_ID}|${good ? TC_SECRET_KEY : 'refused-tencent-secret-key'}`, config: {} };
        case 'replicate':
          return { key: good ? REPLICATE_TOKEN : 'r8_refused_token_0001', config: {} };
        case 'coze':
          return { key: good ? COZE_TOKEN : 'pat_refused_token_0001', config: {} };
        case 'aiproxy-library':
          return { key: good ? LIBRARY_KEY : 'aip-refused-key-0001', config: { library_id: LIBRARY_ID } };
      }
    };
    const modelRatio: Record<string, number> = {};
    const completionRatio: Record<string, number> = {};
    for (const c of NATIVE_CASES) {
      const models = [c.model, `${c.model}-tools`, ...(c.fake === 'baidu' ? [`${c.model}-revoked`] : [])];
      for (const m of [...models, `${c.model}-refused`]) {
        modelRatio[m] = RATIO;
        completionRatio[m] = COMPLETION_RATIO;
      }
      const ids = { good: 0, bad: 0 };
      for (const good of [true, false]) {
        const cred = credentials(c, good);
        const id = await h.createChannel({ type: c.id, key: cred.key, name: `${c.label} ${good ? 'good' : 'refused'}`, baseUrl: fakes[c.fake].url, models: good ? models : [`${c.model}-refused`] });
        await h.sql('UPDATE channels SET config = ? WHERE id = ?', [JSON.stringify(cred.config), id]);
        ids[good ? 'good' : 'bad'] = id;
      }
      channels.set(c.label, ids);
    }
    // DeepL (translation as chat): one channel with its key, one whose key DeepL refuses.
    deepl = await startFakeDeepL({ apiKey: DEEPL_KEY });
    deeplChannel = await h.createChannel({ type: 38, key: DEEPL_KEY, name: 'deepl', baseUrl: deepl.url, models: ['deepl-ja'] });
    await h.createChannel({ type: 38, key: 'refused-deepl-key:fx', name: 'deepl refused', baseUrl: deepl.url, models: ['deepl-en'] });
    for (const m of ['deepl-ja', 'deepl-en']) {
      modelRatio[m] = RATIO;
      completionRatio[m] = COMPLETION_RATIO;
    }
    // One API's Proxy type: raw pass-through to an OpenAI-shaped fake, the channel key sent as Authorization.
    proxied = await startFakeOpenAI({ apiKey: 'sk-proxied-upstream' });
    proxyChannel = await h.createChannel({ type: 43, key: 'Bearer sk-proxied-upstream', name: 'proxy', baseUrl: proxied.url, models: ['proxy-any'] });
    vipProxyChannel = await h.createChannel({ type: 43, key: 'Bearer sk-proxied-upstream', name: 'vip proxy', baseUrl: proxied.url, models: ['proxy-vip'], groups: ['vip'] });
    // A channel of a type kept only for imports (PaLM, shut down by Google).
    await h.createChannel({ type: 11, key: 'palm-key', name: 'palm', baseUrl: 'https://generativelanguage.googleapis.com', models: ['palm-2-chat'] });
    modelRatio['palm-2-chat'] = RATIO;
    secrets.push(badPem.split('\n')[5] ?? badPem);
    await h.setOption('ModelRatio', JSON.stringify(modelRatio));
    await h.setOption('CompletionRatio', JSON.stringify(completionRatio));
    await h.setOption('GroupRatio', JSON.stringify({ default: 1 }));
    await h.setOption('RetryTimes', '0');
    await h.setOption('AutomaticDisableChannelEnabled', 'false');
    const userId = await h.createUser({ quota: 1_000_000_000 });
    const key = await h.createToken({ userId, unlimitedQuota: true, name: 'native conformance' });
    userKey = key;
    await h.refresh();
    client = new OpenAI({ apiKey: key, baseURL: h.baseURL, maxRetries: 0 });
  });

  afterAll(async () => {
    await h?.close();
    await deepl?.close();
    await proxied?.close();
    for (const f of Object.values(fakes)) await f.close();
  });

  const logOf = async (requestId: string | null): Promise<LogRow> => {
    expect(requestId).toBeTruthy();
    if (!h) throw new Error('no relay');
    await h.flush();
    const rows = await h.sql<LogRow>('SELECT quota, prompt_tokens, completion_tokens, channel_id, is_stream FROM logs WHERE request_id = ?', [requestId]);
    expect(rows).toHaveLength(1);
    const r = rows[0];
    return { quota: Number(r.quota), prompt_tokens: Number(r.prompt_tokens), completion_tokens: Number(r.completion_tokens), channel_id: Number(r.channel_id), is_stream: Number(r.is_stream) };
  };

  const modelCalls = (f: Fake, from: number) => f.requests.slice(from).filter((r) => r.path !== '/token' && r.path !== '/oauth/2.0/token');

  it('a model served only by a type that does not relay (PaLM) is a 400 endpoint_not_supported naming the reason', async () => {
    if (!h) return;
    const error = await client.chat.completions.create({ model: 'palm-2-chat', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 400, code: 'endpoint_not_supported' });
    expect((error as APIError).message).toContain('Google PaLM: Google shut the PaLM API down in 2024; move these channels to Google Gemini (24)');
  });

  describe('type 43 Proxy: ANY /v1/oneapi/proxy/{channel id}/{path}', () => {
    const call = (path: string, init: RequestInit = {}) => fetch(`${h?.url ?? ''}/v1/oneapi/proxy/${path}`, { ...init, headers: { authorization: `Bearer ${userKey}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

    it('forwards method, path, query and body to the base URL with the channel key as Authorization, and the reply as it is', async () => {
      if (!h || !proxied) return;
      const from = proxied.requests.length;
      const res = await call(`${proxyChannel}/v1/chat/completions?trace=1`, { method: 'POST', body: JSON.stringify({ model: 'anything', messages: [{ role: 'user', content: 'hi' }] }) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { object: string }).object).toBe('chat.completion');
      const sent = proxied.requests.slice(from);
      expect(sent.map((r) => [r.method, r.path, r.query])).toEqual([['POST', '/v1/chat/completions', { trace: '1' }]]);
      expect(sent[0].headers.authorization).toBe('Bearer sk-proxied-upstream');
      expect(sent[0].body).toEqual({ model: 'anything', messages: [{ role: 'user', content: 'hi' }] });
      const models = await call(`${proxyChannel}/v1/models`);
      expect(models.status).toBe(200);
    });

    it('refuses a channel that is not a Proxy channel, and one the caller’s group does not reach', async () => {
      if (!h) return;
      const notProxy = await call(`${channels.get(NATIVE_CASES[0].label)?.good ?? 0}/anything`);
      expect(notProxy.status).toBe(400);
      expect(((await notProxy.json()) as { error: { code: string } }).error.code).toBe('invalid_channel_id');
      const otherGroup = await call(`${vipProxyChannel}/v1/models`);
      expect(otherGroup.status).toBe(403);
    });
  });

  describe('type 38 DeepL (translation as chat)', () => {
    it('the last message translated into the model’s language, JSON and stream, billed on the relay’s count', async () => {
      if (!h || !deepl) return;
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Good morning' }];
      const { data, response } = await client.chat.completions.create({ model: 'deepl-ja', messages }).withResponse();
      expect(data.choices[0].message.content).toBe('[JA] Good morning');
      expect(deepl.requests.at(-1)?.body).toEqual({ text: ['Good morning'], target_lang: 'JA' });
      const log = await logOf(response.headers.get('x-oneapi-request-id'));
      expect(log.completion_tokens).toBeGreaterThan(0);
      expect(log).toMatchObject({ quota: cost(log.prompt_tokens, log.completion_tokens), channel_id: deeplChannel });
      const stream = await client.chat.completions.create({ model: 'deepl-ja', messages, stream: true });
      let text = '';
      for await (const ch of stream) text += ch.choices[0]?.delta?.content ?? '';
      expect(text).toBe('[JA] Good morning');
    });

    it('a key DeepL refuses (403): 502 upstream_auth_error without the key', async () => {
      if (!h) return;
      const error = await client.chat.completions.create({ model: 'deepl-en', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
      expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 502, code: 'upstream_auth_error' });
      expect((error as APIError).message).not.toContain('refused-deepl-key');
    });
  });

  for (const c of NATIVE_CASES) {
    describe(`type ${c.id} ${c.label}`, () => {
      const hello: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello' },
      ];

      it('POST /v1/chat/completions: content, usage billed exactly from the provider, the provider path', async () => {
        if (!h) return;
        const fake = fakes[c.fake];
        const from = fake.requests.length;
        const { data, response } = await client.chat.completions.create({ model: c.model, messages: hello, max_tokens: 50 }).withResponse();
        // OpenAI's status, whatever 2xx the provider answered (Replicate creates predictions with 201).
        expect(response.status).toBe(200);
        expect(data.choices[0].message.content).toBe(FAKE_PIECES.join(''));
        expect(data.choices[0].finish_reason).toBe('stop');
        expect(data.model).toBe(c.model);
        const sent = modelCalls(fake, from);
        expect(sent.map((r) => r.path)).toEqual([c.chatPath(encodeURIComponent(c.model), false)]);
        const log = await logOf(response.headers.get('x-oneapi-request-id'));
        if (c.usage === false) {
          // No usage upstream: the relay counts the prompt and the answer, and bills that count.
          expect(log.prompt_tokens).toBeGreaterThan(0);
          expect(log.completion_tokens).toBeGreaterThan(0);
          expect(log).toMatchObject({ quota: cost(log.prompt_tokens, log.completion_tokens), channel_id: channels.get(c.label)?.good, is_stream: 0 });
          return;
        }
        expect(data.usage).toMatchObject(FAKE_USAGE);
        expect(log).toEqual({ ...FAKE_USAGE, quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens), channel_id: channels.get(c.label)?.good, is_stream: 0 });
      });

      it('POST /v1/chat/completions stream with include_usage: chunks, one usage chunk last, billed exactly', async () => {
        if (!h) return;
        const fake = fakes[c.fake];
        const from = fake.requests.length;
        const { data, response } = await client.chat.completions.create({ model: c.model, messages: hello, stream: true, stream_options: { include_usage: true } }).withResponse();
        const chunks: ChatChunk[] = [];
        for await (const ch of data) chunks.push(ch);
        expect(chunks.flatMap((ch) => (ch.choices[0]?.delta?.content ? [ch.choices[0].delta.content] : []))).toEqual(FAKE_PIECES);
        expect(chunks.filter((ch) => ch.choices[0]?.finish_reason === 'stop')).toHaveLength(1);
        expect(modelCalls(fake, from).map((r) => r.path)).toEqual([c.chatPath(encodeURIComponent(c.model), true)]);
        const log = await logOf(response.headers.get('x-oneapi-request-id'));
        if (c.usage === false) {
          expect(log.completion_tokens).toBeGreaterThan(0);
          expect(log).toMatchObject({ quota: cost(log.prompt_tokens, log.completion_tokens), is_stream: 1 });
          return;
        }
        const withUsage = chunks.filter((ch) => ch.usage);
        expect(withUsage).toHaveLength(1);
        expect(chunks.at(-1)).toBe(withUsage[0]);
        expect(withUsage[0].usage).toMatchObject(FAKE_USAGE);
        expect(log).toMatchObject({ ...FAKE_USAGE, quota: cost(FAKE_USAGE.prompt_tokens, FAKE_USAGE.completion_tokens), is_stream: 1 });
      });

      if (c.tools === false) {
        it('tools on a provider without function calling: 400 naming tools, nothing sent upstream', async () => {
          if (!h) return;
          const fake = fakes[c.fake];
          const from = fake.requests.length;
          const error = await client.chat.completions.create({ model: `${c.model}-tools`, messages: hello, tools: TOOLS }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(APIError);
          expect({ status: (error as APIError).status, param: (error as APIError).param }).toEqual({ status: 400, param: 'tools' });
          expect(modelCalls(fake, from)).toEqual([]);
        });
      }

      if (c.tools !== false) it('tool calls, streamed: indexed deltas assemble to the provider’s calls, usage billed', async () => {
        if (!h) return;
        const { data, response } = await client.chat.completions
          .create({ model: `${c.model}-tools`, messages: [{ role: 'user', content: 'Weather in Paris, and the time in UTC?' }], tools: TOOLS, stream: true, stream_options: { include_usage: true } })
          .withResponse();
        const calls = new Map<number, { name?: string; args: string }>();
        let usage: OpenAI.CompletionUsage | undefined;
        for await (const ch of data) {
          usage = ch.usage ?? usage;
          for (const tc of ch.choices[0]?.delta?.tool_calls ?? []) {
            const call = calls.get(tc.index) ?? { args: '' };
            call.name ??= tc.function?.name;
            call.args += tc.function?.arguments ?? '';
            calls.set(tc.index, call);
          }
        }
        expect([...calls.values()].map((x) => ({ name: x.name, args: JSON.parse(x.args) as unknown }))).toEqual(EXPECTED_CALLS);
        const log = await logOf(response.headers.get('x-oneapi-request-id'));
        expect(usage?.prompt_tokens).toBe(FAKE_USAGE.prompt_tokens);
        expect(log).toMatchObject({ prompt_tokens: usage?.prompt_tokens, completion_tokens: usage?.completion_tokens, is_stream: 1 });
      });

      if (c.fake === 'baidu') {
        it('an error answered with HTTP 200 (error 110, token revoked) is classified as the channel’s credentials: 502 upstream_auth_error', async () => {
          if (!h) return;
          const error = await client.chat.completions.create({ model: `${c.model}-revoked`, messages: hello }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(APIError);
          expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 502, code: 'upstream_auth_error' });
        });
      }

      it('credentials the provider refuses: 502 upstream_auth_error, no secret or upstream address in the message', async () => {
        if (!h) return;
        const error = await client.chat.completions.create({ model: `${c.model}-refused`, messages: hello }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(APIError);
        expect({ status: (error as APIError).status, code: (error as APIError).code }).toEqual({ status: 502, code: 'upstream_auth_error' });
        const message = (error as APIError).message;
        for (const s of [...secrets, fakes[c.fake].url, AK]) expect(message).not.toContain(s);
      });
    });
  }
});
