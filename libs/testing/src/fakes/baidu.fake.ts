import { sleep, startUpstreamServer, type UpstreamContext } from './fake-server';
import { fakeState, type FakeUpstream, type FakeUpstreamOptions } from './fake-openai';
import { knobsFromModel, type FakeKnobs } from './openai-responder';
import { writeSseEvents } from './sse-writer';

export interface FakeBaiduOptions extends FakeUpstreamOptions {
  clientId: string;
  clientSecret: string;
}

export interface FakeBaidu extends FakeUpstream {
  /** Access tokens issued so far. */
  issued: string[];
}

/** Fields of an ERNIE chat request; others are refused (error 336003, as Baidu answers invalid arguments). */
const FIELDS = new Set(['messages', 'system', 'temperature', 'top_p', 'penalty_score', 'stream', 'max_output_tokens', 'stop', 'user_id', 'disable_search', 'enable_citation', 'functions', 'response_format']);

function invalid(body: Record<string, unknown>): string | undefined {
  for (const k of Object.keys(body)) if (!FIELDS.has(k)) return `Invalid argument: unknown field ${k}`;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return 'the messages field is required';
  // ERNIE wants user, assistant, user, ... and an odd count (the last one from the user).
  if (messages.length % 2 === 0) return 'the length of messages must be an odd number';
  for (const [i, m] of (messages as { role?: unknown; content?: unknown }[]).entries()) {
    if (m.role !== (i % 2 === 0 ? 'user' : 'assistant')) return 'the role of message with even index in the messages must be user or function';
    if (typeof m.content !== 'string' || m.content === '') return 'the content of message must not be empty';
  }
  return undefined;
}

/**
 * A fake Baidu ERNIE v1 (wenxinworkshop) with its OAuth endpoint:
 * - `POST /oauth/2.0/token?grant_type=client_credentials&client_id&client_secret`: a token for
 *   the configured pair, else 401 `invalid_client`, as Baidu answers;
 * - `POST /rpc/2.0/ai_custom/v1/wenxinworkshop/chat/{endpoint}?access_token=...`: an unknown
 *   token is error 110 with HTTP 200 (Baidu's way); bad bodies are error 336003/336006; replies
 *   `{result, usage}` or SSE events `{result, is_end, usage}`. Knobs through the endpoint name;
 *   `...-revoked` answers error 110 (a revoked token).
 */
export async function startFakeBaidu(opts: FakeBaiduOptions): Promise<FakeBaidu> {
  const { state, takeForcedStatus, controls } = fakeState(opts);
  const issued: string[] = [];
  const server = await startUpstreamServer(async (ctx: UpstreamContext) => {
    const { record, json, req, res } = ctx;
    if (req.method === 'POST' && record.path === '/oauth/2.0/token') {
      const q = record.query;
      if (q.grant_type !== 'client_credentials') return json(400, { error: 'unsupported_grant_type', error_description: 'The authorization grant type is not supported' });
      if (q.client_id !== opts.clientId) return json(401, { error: 'invalid_client', error_description: 'unknown client id' });
      if (q.client_secret !== opts.clientSecret) return json(401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      const token = `24.fake${issued.length + 1}.${Math.random().toString(36).slice(2)}`;
      issued.push(token);
      return json(200, { refresh_token: 'r', expires_in: 2_592_000, session_key: 's', access_token: token, scope: 'public', session_secret: 'x' });
    }
    const m = /^\/rpc\/2\.0\/ai_custom\/v1\/wenxinworkshop\/chat\/([^/]+)$/.exec(record.path);
    if (req.method !== 'POST' || !m) return json(404, { error_code: 3, error_msg: 'Unsupported openapi method' });
    if (!issued.includes(record.query.access_token ?? '')) return json(200, { error_code: 110, error_msg: 'Access token invalid or no longer valid' });
    const endpoint = decodeURIComponent(m[1]);
    // `...-revoked` plays a token Baidu revoked after issuing it.
    if (/(?:^|-)revoked(?:-|$)/.test(endpoint)) return json(200, { error_code: 110, error_msg: 'Access token invalid or no longer valid' });
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    const k: FakeKnobs = { ...state.knobs, ...knobsFromModel(endpoint) };
    await sleep(k.latencyMs, res);
    if (res.destroyed) return;
    if (k.status !== undefined && takeForcedStatus(k)) return json(k.status, { error_code: k.status === 429 ? 18 : 336100, error_msg: k.errorMessage ?? `fake Baidu: status ${k.status}` });
    const bad = invalid(body);
    if (bad) return json(200, { error_code: bad.includes('odd') ? 336006 : 336003, error_msg: bad });
    const pieces = Array.from({ length: k.chunks }, (_, i) => `tok${i} `);
    const output = k.completionTokens ?? pieces.length;
    const usage = { prompt_tokens: k.promptTokens, completion_tokens: output, total_tokens: k.promptTokens + output };
    const id = 'as-fake-baidu';
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true) return json(200, { id, object: 'chat.completion', created, result: pieces.join(''), is_truncated: false, need_clear_history: false, finish_reason: 'normal', usage });
    const events = pieces.map((p, i) => ({
      text: `data: ${JSON.stringify({ id, object: 'chat.completion', created, sentence_id: i, is_end: i === pieces.length - 1, is_truncated: false, result: p, need_clear_history: false, finish_reason: i === pieces.length - 1 ? 'normal' : '', usage })}\n\n`,
      content: true,
    }));
    await writeSseEvents(res, k, events);
  });
  return { ...controls(server), issued };
}
